/// A chat request as the engine sees it: the OpenAI chat shape plus who is asking.
///
/// The client's body is the source of truth: ``messages`` keep each message as sent, and
/// ``parameters`` every other field (`tools`, `response_format`, `seed`, vendor fields…), which
/// reach an OpenAI-compatible provider unchanged. The typed views (``sampling``, ``lastUserPrompt``)
/// are read from them. The gateway decodes wire requests into this value and the traffic generator
/// and the console build it directly; the engine never sees HTTP.
public struct ChatRequest: Sendable, Hashable {
    /// The model the client asked for: ``ChatRequest/automaticModel`` lets the router choose a
    /// tier; a tier, model alias or provider name goes straight to that chain.
    public var model: String
    /// The conversation, oldest first. Must not be empty.
    public var messages: [ChatMessage]
    /// Every field of the client's body except `model`, `messages`, `stream` and
    /// `stream_options`, in the order sent.
    public var parameters: JSONObject
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

    /// Creates a request; `sampling` is written into `parameters`.
    public init(
        model: String = ChatRequest.automaticModel,
        messages: [ChatMessage],
        sampling: SamplingParameters = SamplingParameters(),
        stream: Bool = false,
        tenant: String = ChatRequest.defaultTenant,
        options: RequestOptions = RequestOptions(),
        parameters: JSONObject = JSONObject()
    ) {
        self.model = model
        self.messages = messages
        self.parameters = parameters
        self.stream = stream
        self.tenant = tenant
        self.options = options
        if sampling != SamplingParameters() { self.sampling = sampling }
    }

    /// Creates a one-turn request from a single user prompt.
    public init(prompt: String, model: String = ChatRequest.automaticModel, tenant: String = ChatRequest.defaultTenant) {
        self.init(model: model, messages: [ChatMessage(role: .user, content: prompt)], tenant: tenant)
    }

    /// The sampling parameters, read from and written to ``parameters`` (`max_completion_tokens`
    /// is read before `max_tokens`, and written back to whichever the client used).
    public var sampling: SamplingParameters {
        get { SamplingParameters(parameters) }
        set { newValue.write(into: &parameters) }
    }

    /// The index of the last user message, if there is one.
    public var lastUserIndex: Int? {
        messages.lastIndex(where: { $0.role == .user })
    }

    /// The text of the last user message: what the cache matches and the router scores.
    public var lastUserPrompt: String {
        lastUserIndex.map { messages[$0].content } ?? messages.last?.content ?? ""
    }

    /// The system and developer instructions joined in order; part of the cache scope.
    public var systemPrompt: String {
        messages.filter { $0.role.isInstruction }.map(\.content).joined(separator: "\n")
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

extension SamplingParameters {
    /// The sampling parameters a request body's fields hold (`max_completion_tokens` read before
    /// `max_tokens`; `stop` as a string or a list).
    public init(_ parameters: JSONObject) {
        var stop: [String] = []
        switch parameters["stop"] {
        case .string(let single)?: stop = [single]
        case .array(let list)?: stop = list.compactMap(\.stringValue)
        default: break
        }
        self.init(
            temperature: parameters["temperature"]?.doubleValue,
            topP: parameters["top_p"]?.doubleValue,
            maxTokens: parameters["max_completion_tokens"]?.intValue ?? parameters["max_tokens"]?.intValue,
            stop: stop
        )
    }

    /// Writes these parameters into body fields, the token limit to whichever of
    /// `max_completion_tokens` and `max_tokens` the body already uses.
    public func write(into parameters: inout JSONObject) {
        parameters["temperature"] = temperature.map(JSONValue.double)
        parameters["top_p"] = topP.map(JSONValue.double)
        let limitKey = parameters["max_completion_tokens"] != nil ? "max_completion_tokens" : "max_tokens"
        parameters[limitKey] = maxTokens.map { .integer(Int64($0)) }
        parameters["stop"] = stop.isEmpty ? nil : .array(stop.map(JSONValue.string))
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
