/// A chat request as the engine sees it: the OpenAI chat shape plus who is asking.
///
/// The gateway decodes wire requests into this value and the traffic generator and the console
/// build it directly; the engine never sees HTTP.
public struct ChatRequest: Sendable, Hashable {
    /// The model the client asked for: ``ChatRequest/automaticModel`` lets the router choose a
    /// tier; a tier, model alias or provider name goes straight to that chain.
    public var model: String
    /// The conversation, oldest first. Must not be empty.
    public var messages: [ChatMessage]
    /// Sampling parameters that change the answer, and so scope the cache.
    public var sampling: SamplingParameters
    /// Whether the caller wants tokens as they are produced.
    public var stream: Bool
    /// The tenant the request belongs to; it scopes the cache so tenants never share answers.
    public var tenant: String
    /// Per-request switches: cache policy, forced tier.
    public var options: RequestOptions

    /// The model name that asks the router to choose.
    public static let automaticModel = "auto"
    /// The tenant of requests that name none.
    public static let defaultTenant = "default"

    /// Creates a request.
    public init(
        model: String = ChatRequest.automaticModel,
        messages: [ChatMessage],
        sampling: SamplingParameters = SamplingParameters(),
        stream: Bool = false,
        tenant: String = ChatRequest.defaultTenant,
        options: RequestOptions = RequestOptions()
    ) {
        self.model = model
        self.messages = messages
        self.sampling = sampling
        self.stream = stream
        self.tenant = tenant
        self.options = options
    }

    /// Creates a one-turn request from a single user prompt.
    public init(prompt: String, model: String = ChatRequest.automaticModel, tenant: String = ChatRequest.defaultTenant) {
        self.init(model: model, messages: [ChatMessage(role: .user, content: prompt)], tenant: tenant)
    }

    /// The text of the last user message: what the cache matches and the router scores.
    public var lastUserPrompt: String {
        messages.last(where: { $0.role == .user })?.content ?? messages.last?.content ?? ""
    }

    /// The system and developer instructions joined in order; part of the cache scope.
    public var systemPrompt: String {
        messages.filter { $0.role == .system || $0.role == .developer }.map(\.content).joined(separator: "\n")
    }
}

/// Sampling parameters that change what a model answers.
public struct SamplingParameters: Sendable, Hashable {
    /// Sampling temperature, if the client set one.
    public var temperature: Double?
    /// Nucleus sampling mass, if the client set one.
    public var topP: Double?
    /// The most tokens the answer may have, if the client set a limit.
    public var maxTokens: Int?
    /// Sequences that end the answer.
    public var stop: [String]

    /// Creates sampling parameters; `nil` means the provider's default.
    public init(temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil, stop: [String] = []) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.stop = stop
    }
}

/// Per-request switches that an operator or a client header can set.
public struct RequestOptions: Sendable, Hashable {
    /// Whether to look in the cache for an answer.
    public var cacheLookup: Bool
    /// Whether a good answer may be stored in the cache.
    public var cacheStore: Bool
    /// A tier to use instead of asking the router.
    public var forcedTier: String?
    /// Where the request came from, for the activity log (`traffic`, `console`, `http`).
    public var origin: RequestOrigin

    /// Creates options; by default the cache is used and the router decides.
    public init(cacheLookup: Bool = true, cacheStore: Bool = true, forcedTier: String? = nil, origin: RequestOrigin = .api) {
        self.cacheLookup = cacheLookup
        self.cacheStore = cacheStore
        self.forcedTier = forcedTier
        self.origin = origin
    }
}

/// Where a request entered Switchboard.
public enum RequestOrigin: String, Sendable, Hashable, Codable {
    /// The built-in traffic generator.
    case traffic
    /// The dashboard's prompt console.
    case console
    /// A client of the HTTP gateway or a direct library call.
    case api
}
