/// Why an answer ended, as the OpenAI API names it. Kept as the provider said it: a reason
/// Switchboard does not know (a vendor's own) reaches the client unchanged.
public struct FinishReason: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The model finished its answer or hit a stop sequence.
    public static let stop = FinishReason(rawValue: "stop")
    /// The answer hit the token limit and was cut off.
    public static let length = FinishReason(rawValue: "length")
    /// A content filter cut the answer.
    public static let contentFilter = FinishReason(rawValue: "content_filter")
    /// The model asked to call one or more tools.
    public static let toolCalls = FinishReason(rawValue: "tool_calls")
    /// The model asked to call a function (the legacy `functions` API).
    public static let functionCall = FinishReason(rawValue: "function_call")

    /// Whether an answer that ended this way is complete: a finished text, or a complete request
    /// to call tools. Only complete answers may be stored in the cache.
    public var isComplete: Bool {
        self == .stop || self == .toolCalls || self == .functionCall
    }

    /// Whether this answer asks the client to call tools.
    public var callsTools: Bool {
        self == .toolCalls || self == .functionCall
    }

    public var description: String { rawValue }
}
