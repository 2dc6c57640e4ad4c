import Testing
import TestSupport
@testable import ServingEngine

/// An embedder that holds every embedding until the test opens its gate, so "slower than the
/// budget" needs no clock: a closed gate is slower than any budget.
final class GatedEmbedder: Embedder {
    let name = "gated"
    let dimensions = 3
    private let gate: Gate

    init(open: Bool = false) {
        gate = Gate(open: open)
    }

    /// How many texts it was asked to embed.
    var calls: Int { gate.arrivals }

    /// Lets every held embedding, and every later one, finish.
    func open() { gate.open() }

    func embed(_ text: String) async throws -> [Float] {
        await gate.passed()
        return text.contains("invoice") ? [1, 0, 0] : [0, 0, 1]
    }
}

@Suite("Cache lookup budget")
struct CacheLookupBudgetTests {
    func engine(budget: Duration?, embedder: GatedEmbedder) throws -> ServingEngine {
        var configuration = testConfiguration()
        configuration.cache.lookupBudget = budget
        return try ServingEngine(configuration: configuration, providers: ["a", "b", "c", "z"].map { ScriptedProvider($0) }, embedder: embedder)
    }

    /// Waits (up to 10 s) until the cache holds `count` entries.
    func entries(of engine: ServingEngine, reach count: Int) async throws -> Bool {
        for _ in 0..<1_000 {
            if engine.snapshot().cache.statistics.entries == count { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test func anEmbeddingPastTheBudgetIsAnAnsweredMissWhoseAnswerIsStoredOnceItIsDone() async throws {
        let embedder = GatedEmbedder()
        let engine = try engine(budget: .milliseconds(20), embedder: embedder)
        let request = ChatRequest(prompt: "Where is my invoice?")
        // The gate is shut: only the budget lets this request finish.
        let first = try await engine.complete(request)
        #expect(first.decision.provider == "a")
        guard case .unavailable(let reason) = first.decision.cache else {
            Issue.record("expected an unavailable lookup, got \(first.decision.cache)")
            return
        }
        #expect(reason.contains("gated embedding was not done within the cache's lookup budget (20 ms)"))
        #expect(engine.snapshot().cache.statistics.entries == 0)
        #expect(engine.snapshot().totals.embedderFailures == 1)

        embedder.open()
        #expect(try await entries(of: engine, reach: 1))
        // The stored answer replays, and an exact match asks the embedder for nothing.
        let again = try await engine.complete(request)
        #expect(again.decision.cache == .exact)
        #expect(again.text == first.text)
        #expect(embedder.calls == 1)
    }

    @Test func anEmbeddingWithinTheBudgetLooksUpAsWithoutOne() async throws {
        let embedder = GatedEmbedder(open: true)
        let engine = try engine(budget: .seconds(30), embedder: embedder)
        let first = try await engine.complete(ChatRequest(prompt: "Where is my invoice?"))
        #expect(first.decision.cache == .miss(bestSimilarity: nil))
        // Stored as the request ended, under the vector the lookup computed.
        #expect(engine.snapshot().cache.statistics.entries == 1)
        let paraphrase = try await engine.complete(ChatRequest(prompt: "my invoice, where is it"))
        guard case .semantic(let similarity, let matched) = paraphrase.decision.cache else {
            Issue.record("expected a semantic hit, got \(paraphrase.decision.cache)")
            return
        }
        #expect(similarity > 0.999 && matched == "Where is my invoice?")
    }

    @Test func withoutABudgetTheLookupWaitsForTheEmbedding() async throws {
        let embedder = GatedEmbedder()
        let engine = try engine(budget: nil, embedder: embedder)
        let request = Task { try await engine.complete(ChatRequest(prompt: "Where is my invoice?")) }
        for _ in 0..<1_000 where embedder.calls == 0 { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(engine.snapshot().totals.completed == 0)
        embedder.open()
        #expect(try await request.value.decision.cache == .miss(bestSimilarity: nil))
    }

    @Test func theBudgetIsReadInMillisecondsAndMustBePositive() throws {
        let base = """
            providers:
              - name: local
            tiers:
              - name: small
                chain: [local]
            cache:
              enabled: true

            """
        #expect(try ConfigurationLoader.parse(base, source: "t.yaml").cache.lookupBudget == nil)
        #expect(try ConfigurationLoader.parse(base + "  lookup_budget_ms: 5\n", source: "t.yaml").cache.lookupBudget == .milliseconds(5))
        do {
            _ = try ConfigurationLoader.parse(base + "  lookup_budget_ms: 0\n", source: "t.yaml")
            Issue.record("a budget of 0 ms must be refused")
        } catch {
            #expect(error.key == "cache.lookup_budget_ms")
            #expect(error.message == "expected a whole number from 1 to 60000 milliseconds, got 0")
        }
    }
}
