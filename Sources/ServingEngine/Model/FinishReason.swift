/// Why an answer ended, as the OpenAI API names it.
public enum FinishReason: String, Sendable, Hashable, Codable {
    /// The model finished its answer or hit a stop sequence.
    case stop
    /// The answer hit `max_tokens` and was cut off.
    case length
    /// A content filter cut the answer.
    case contentFilter = "content_filter"
    /// The model asked to call a tool.
    case toolCalls = "tool_calls"

    /// Whether the answer is complete enough to be stored in the cache.
    public var isCacheable: Bool { self == .stop }
}
