import Dashboard
import Foundation
import ServingEngine
import Synchronization
import Testing

/// The console's `@tenant` prefix on a real engine: a prompt sent as one tenant never gets an
/// answer cached for another, by exact or semantic match, however close the wording.
@Suite("Console prompts keep to their tenant's cache", .timeLimit(.minutes(1)))
struct ConsoleTenantIsolationTests {
    /// Answers every call with a text no other call gets, so a shared answer is detectable.
    final class UniqueAnswers: ModelProvider {
        let name = "a"
        let model = "unique"
        private let counter = Mutex(0)

        func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
            let number = counter.withLock { value in
                value += 1
                return value
            }
            return AsyncThrowingStream { continuation in
                continuation.yield(.text("answer #\(number)"))
                continuation.yield(.finished(.stop, TokenUsage(promptTokens: 3, completionTokens: 2)))
                continuation.finish()
            }
        }
    }

    func engine() throws -> ServingEngine {
        var configuration = try ConfigurationLoader.parse("providers:\n  - name: a\ntiers:\n  - name: t\n    chain: [a]\n", source: "console.yaml")
        // Low enough that paraphrases hit semantically, so the test would see a crossing.
        configuration.cacheDecision = CacheDecisionConfiguration(kind: .threshold, similarityThreshold: 0.5)
        return try ServingEngine(configuration: configuration, providers: [UniqueAnswers()])
    }

    /// Sends `line` through the console and waits for its answer and cache outcome.
    func ask(_ session: ConsoleSession, _ line: String) async throws -> (text: String, cache: CacheOutcome?) {
        let number = session.submit(try ConsolePrompt.parse(line).get())
        for _ in 0..<500 {
            if let exchange = session.current().exchanges.first(where: { $0.number == number }) {
                switch exchange.phase {
                case .finished: return (exchange.answer, exchange.decision?.cache)
                case .failed(let message): throw ConsoleFailure(message: message)
                default: break
                }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ConsoleFailure(message: "no answer to '\(line)'")
    }

    struct ConsoleFailure: Error { var message: String }

    static let prompts = [
        "What is our refund policy for enterprise customers?",
        "what is our refund policy for enterprise customers",
        "What is our refund policy for Enterprise customers??",
        "Summarise the Q3 board memo in one sentence.",
        "Summarize the Q3 board memo in one sentence",
    ]

    @Test func aTenantPrefixNeverReachesAnotherTenantsEntries() async throws {
        let session = ConsoleSession(engine: try engine())
        defer { session.cancelAll() }
        var acme = Set<String>()
        var acmeHits = 0
        var acmeSemanticHits = 0
        for prompt in Self.prompts {
            let (text, cache) = try await ask(session, "@acme \(prompt)")
            acme.insert(text)
            if case .exact = cache { acmeHits += 1 }
            if case .semantic = cache { acmeSemanticHits += 1 }
        }
        #expect(acmeHits >= 1 && acmeSemanticHits >= 1, "acme's own paraphrases must hit its cache exactly and semantically, or this test proves nothing")
        // The same words as another tenant, as the default console tenant, and with a tenant
        // name that only differs in case or by a suffix.
        for tenant in ["@globex ", "", "@ACME ", "@acme2 ", "@acme. "] {
            for prompt in Self.prompts {
                let (text, cache) = try await ask(session, tenant + prompt)
                #expect(!acme.contains(text), "'\(tenant)\(prompt)' received acme's answer '\(text)' (\(String(describing: cache)))")
            }
        }
    }
}
