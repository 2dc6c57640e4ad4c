/// A `/v1/embeddings` request as the engine sees it: the model (a tier, alias or provider name,
/// or `auto` for the first tier that can embed), the client's body, and who is asking.
public struct EmbeddingRequest: Sendable, Hashable {
    /// The model the client named.
    public var model: String
    /// Every body field except `model` (`input`, `encoding_format`, `dimensions`…), as sent.
    public var parameters: JSONObject
    /// The tenant the request belongs to.
    public var tenant: String
    /// Where the request came from.
    public var origin: RequestOrigin

    /// Creates a request.
    public init(model: String, parameters: JSONObject, tenant: String = ChatRequest.defaultTenant, origin: RequestOrigin = .api) {
        self.model = model
        self.parameters = parameters
        self.tenant = tenant
        self.origin = origin
    }

    /// About how many tokens the inputs are, for tenant limits before the provider counts them.
    public var estimatedTokens: Int {
        switch parameters["input"] {
        case .string(let text)?: return TokenEstimator.estimate(text)
        case .array(let items)?:
            return items.reduce(0) { total, item in
                total + (item.stringValue.map(TokenEstimator.estimate) ?? item.arrayValue?.count ?? 1)
            }
        default: return 1
        }
    }

    /// The inputs' text, for the activity log: the first input, or how many there are.
    var excerpt: String {
        switch parameters["input"] {
        case .string(let text)?: return text
        case .array(let items)?:
            let first = items.first?.stringValue ?? "\(items.count) token lists"
            return items.count > 1 ? "\(first) (+\(items.count - 1) more)" : first
        default: return ""
        }
    }
}

/// The engine's embeddings answer: the provider's body, the model that answered, the decision.
public struct EmbeddingResponse: Sendable {
    /// The provider's body as it sent it.
    public var body: JSONObject
    /// Token counts.
    public var usage: TokenUsage
    /// What the engine did.
    public var decision: DecisionRecord
}
