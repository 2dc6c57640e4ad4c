import Synchronization
import Testing
@testable import ServingEngine

/// Two tenants sending the same and near-identical prompts must never receive each other's
/// answers: not by exact hit, semantic hit or streamed replay.
@Suite("Tenant isolation")
struct TenantIsolationTests {
    /// Answers every call with a text no other call gets, so a shared answer is detectable.
    final class UniqueAnswers: ModelProvider {
        let name: String
        let model = "unique"
        private let counter = Mutex(0)

        init(name: String) { self.name = name }

        func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
            let number = counter.withLock { value in
                value += 1
                return value
            }
            return AsyncThrowingStream { continuation in
                continuation.yield(.text("\(name) answer #\(number)"))
                continuation.yield(.finished(.stop, TokenUsage(promptTokens: 3, completionTokens: 3)))
                continuation.finish()
            }
        }
    }

    let prompts = [
        "What is our refund policy for enterprise customers?",
        "what is our refund policy for enterprise customers",
        "What is our refund policy for Enterprise customers??",
        "Summarize the Q3 board memo in one sentence.",
        "Summarise the Q3 board memo in one sentence.",
        "Give me a one-line definition of photosynthesis.",
        "One-line definition of photosynthesis, please.",
    ]

    func engine() throws -> ServingEngine {
        let configuration = testConfiguration()
        return try ServingEngine(configuration: configuration, providers: ["a", "b", "c", "z"].map { UniqueAnswers(name: $0) })
    }

    func collect(_ engine: ServingEngine, _ prompt: String, tenant: String, stream: Bool) async throws -> (String, CacheOutcome) {
        var request = ChatRequest(prompt: prompt, tenant: tenant)
        request.stream = stream
        var text = ""
        var outcome = CacheOutcome.disabled
        for try await event in engine.stream(request) {
            switch event {
            case .text(let chunk): text += chunk
            case .finished(_, _, let decision): outcome = decision.cache
            case .answering, .delta, .responseFields: break
            }
        }
        return (text, outcome)
    }

    @Test func sameAndNearIdenticalPromptsNeverCrossTenants() async throws {
        let engine = try engine()
        var answersOfA = Set<String>()
        for prompt in prompts {
            answersOfA.insert(try await collect(engine, prompt, tenant: "tenant-a", stream: false).0)
        }
        #expect(engine.snapshot().totals.cacheHits > 0, "tenant A's own paraphrases must hit its cache, or the test proves nothing")
        for (index, prompt) in prompts.enumerated() {
            let (text, outcome) = try await collect(engine, prompt, tenant: "tenant-b", stream: index % 2 == 0)
            #expect(!answersOfA.contains(text), "tenant-b received tenant-a's answer '\(text)' for '\(prompt)' (\(outcome))")
        }
    }
}
