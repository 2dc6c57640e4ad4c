/// A kind of provider backend, as a configuration names it (`kind: openai-compatible`).
///
/// Kinds are values, not cases of a closed enum: a ``ProviderRegistry`` maps their names to the
/// factories that build their providers, so a new kind is declared next to its provider and
/// registered with one line. The engine declares the kinds its configuration schema knows
/// (``simulated``, ``openAICompatible``, ``anthropic``); other modules add their own.
///
/// ```swift
/// extension ProviderKind {
///     public static let ollama = ProviderKind(
///         name: "ollama", defaultCapabilities: [.tools, .vision, .jsonObject, .jsonSchema, .embeddings],
///         defaultBaseURL: "http://localhost:11434/v1", settings: [.streamUpstream]
///     )
/// }
/// ```
///
/// Two kinds are equal when their names are.
public struct ProviderKind: Sendable, Hashable, CustomStringConvertible {
    /// The name a configuration file uses (`kind: <name>`).
    public let name: String
    /// Whether the provider is reached over the network (and so has a `base_url`).
    public let isRemote: Bool
    /// What a provider of this kind can do unless its configuration says otherwise (`capabilities:`).
    public let defaultCapabilities: Set<ProviderCapability>
    /// The URL an error about a missing `base_url` suggests.
    public let exampleBaseURL: String
    /// The `base_url` used when the configuration gives none; nil when it must give one.
    public let defaultBaseURL: String?
    /// The kind-specific keys a provider of this kind accepts.
    public let settings: Set<Setting>

    /// Provider keys only some kinds accept.
    public enum Setting: String, Sendable, Hashable, CaseIterable {
        /// `stream_upstream`: whether a client that asked for no stream gets a plain upstream call.
        case streamUpstream = "stream_upstream"
        /// `default_max_tokens`: the `max_tokens` sent when the client sets none.
        case defaultMaxTokens = "default_max_tokens"
    }

    /// Creates a kind.
    ///
    /// - Parameters:
    ///   - name: the name configurations use; also the kind's identity.
    ///   - isRemote: whether its providers are reached over the network (and have a `base_url`).
    ///   - defaultCapabilities: what its providers can do unless configured otherwise.
    ///   - exampleBaseURL: the URL suggested when a `base_url` is missing.
    ///   - defaultBaseURL: the `base_url` used when none is configured (nil: one is required).
    ///   - settings: the kind-specific keys its providers accept.
    public init(
        name: String, isRemote: Bool = true, defaultCapabilities: Set<ProviderCapability>, exampleBaseURL: String = "http://127.0.0.1:8000/v1",
        defaultBaseURL: String? = nil, settings: Set<Setting> = []
    ) {
        self.name = name
        self.isRemote = isRemote
        self.defaultCapabilities = defaultCapabilities
        self.exampleBaseURL = defaultBaseURL ?? exampleBaseURL
        self.defaultBaseURL = defaultBaseURL
        self.settings = settings
    }

    public var description: String { name }

    public static func == (lhs: ProviderKind, rhs: ProviderKind) -> Bool { lhs.name == rhs.name }

    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

extension ProviderKind {
    /// A built-in simulated model; simulated models only write text.
    public static let simulated = ProviderKind(name: "simulated", isRemote: false, defaultCapabilities: [])

    /// Any server speaking the OpenAI chat completions API (OpenAI, vLLM, llama.cpp…); it is sent
    /// everything (and refuses what it cannot do itself). Built by the HTTP gateway.
    public static let openAICompatible = ProviderKind(name: "openai-compatible", defaultCapabilities: Set(ProviderCapability.known), settings: [.streamUpstream])

    /// Anthropic's Messages API: tools and images but no JSON modes, log probabilities, several
    /// choices or embeddings. Built by the HTTP gateway.
    public static let anthropic = ProviderKind(
        name: "anthropic", defaultCapabilities: [.tools, .vision, .files], exampleBaseURL: "https://api.anthropic.com/v1", settings: [.defaultMaxTokens]
    )
}
