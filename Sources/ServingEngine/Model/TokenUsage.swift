/// Token counts of one answer, as the provider reported them (or as estimated when it did not).
public struct TokenUsage: Sendable, Hashable, Codable {
    /// Tokens in the prompt.
    public var promptTokens: Int
    /// Tokens in the answer.
    public var completionTokens: Int
    /// The provider's breakdown of the prompt tokens (`cached_tokens`, `audio_tokens`…), passed on as given.
    public var promptTokensDetails: JSONObject?
    /// The provider's breakdown of the answer tokens (`reasoning_tokens`…), passed on as given.
    public var completionTokensDetails: JSONObject?

    /// Creates a usage record.
    public init(promptTokens: Int = 0, completionTokens: Int = 0, promptTokensDetails: JSONObject? = nil, completionTokensDetails: JSONObject? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.promptTokensDetails = promptTokensDetails
        self.completionTokensDetails = completionTokensDetails
    }

    /// Prompt and answer tokens together.
    public var totalTokens: Int { promptTokens + completionTokens }
}

/// Rough token counts for text whose provider gave none: about four characters a token,
/// which is the usual rule of thumb for English with BPE vocabularies.
enum TokenEstimator {
    static func estimate(_ text: String) -> Int {
        text.isEmpty ? 0 : max(1, (text.utf8.count + 3) / 4)
    }

    static func estimate(_ messages: [ChatMessage]) -> Int {
        // Each message carries a few tokens of role framing in the chat templates.
        messages.reduce(0) { $0 + estimate($1.content) + 4 }
    }
}
