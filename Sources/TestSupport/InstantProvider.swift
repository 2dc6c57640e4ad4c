package import ServingEngine

/// A provider that answers at once with a fixed text: the baseline for measuring what the
/// engine itself adds, and a building block for tests.
package struct InstantProvider: ModelProvider {
    package let name: String
    package let model: String
    private let words: [String]

    /// Creates a provider answering `answer`, split into word chunks.
    package init(name: String, model: String = "instant", answer: String = "ok") {
        self.name = name
        self.model = model
        self.words = AnswerAccumulator.words(of: answer)
    }

    package func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
        let words = words
        return AsyncThrowingStream { continuation in
            for word in words { continuation.yield(.text(word)) }
            continuation.yield(.finished(.stop, TokenUsage(promptTokens: 8, completionTokens: words.count)))
            continuation.finish()
        }
    }
}
