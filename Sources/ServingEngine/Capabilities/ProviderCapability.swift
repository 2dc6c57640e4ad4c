/// Something a request may need of a provider beyond plain text chat. Providers declare what they
/// can do (`capabilities:` in the configuration, with defaults per kind), and the cascade skips a
/// provider that lacks what a request needs, saying so in the decision trail ("skipped: no vision").
public struct ProviderCapability: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Function tools (`tools`, `tool_choice`, legacy `functions`) and tool turns in the conversation.
    public static let tools = ProviderCapability(rawValue: "tools")
    /// Image parts in messages.
    public static let vision = ProviderCapability(rawValue: "vision")
    /// Audio parts in messages (`input_audio`) or audio output.
    public static let audio = ProviderCapability(rawValue: "audio")
    /// File parts in messages.
    public static let files = ProviderCapability(rawValue: "files")
    /// `response_format` of type `json_schema` (structured output).
    public static let jsonSchema = ProviderCapability(rawValue: "json_schema")
    /// `response_format` of type `json_object` (JSON mode).
    public static let jsonObject = ProviderCapability(rawValue: "json_object")
    /// Token log probabilities (`logprobs`).
    public static let logprobs = ProviderCapability(rawValue: "logprobs")
    /// Several choices per request (`n` > 1).
    public static let multipleChoices = ProviderCapability(rawValue: "n")
    /// The embeddings endpoint.
    public static let embeddings = ProviderCapability(rawValue: "embeddings")

    /// Every capability Switchboard knows, for configuration checks and documentation.
    public static let known: [ProviderCapability] = [.tools, .vision, .audio, .files, .jsonSchema, .jsonObject, .logprobs, .multipleChoices, .embeddings]

    public static func < (lhs: ProviderCapability, rhs: ProviderCapability) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { rawValue }
}

/// A capability a request needs, and the field that needs it (for the decision trail and errors).
public struct CapabilityNeed: Sendable, Hashable {
    /// The capability.
    public var capability: ProviderCapability
    /// The request field that needs it, e.g. `messages[1].content[0]` or `tools`.
    public var field: String

    /// Creates a need.
    public init(_ capability: ProviderCapability, field: String) {
        self.capability = capability
        self.field = field
    }
}
