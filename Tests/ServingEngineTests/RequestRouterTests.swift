import Synchronization
import Testing
@testable import ServingEngine

@Suite("Request router")
struct RequestRouterTests {
    let yaml = """
        providers:
          - name: local
          - name: cloud
        tiers:
          - name: small
            chain: [local]
          - name: frontier
            chain: [cloud]
        router:
          thresholds:
            - { tier: small, up_to: 0.35 }
            - { tier: frontier, up_to: 1 }
          routes:
            - name: greetings
              target: small
              min_similarity: 0.6
              examples: ["hello there", "good morning to you", "hi, how are you"]
            - name: legal
              target: cloud
              min_similarity: 0.6
              examples: ["review this contract clause for liability"]
        """

    @Test func aPromptCloseToARoutesExamplesTakesThatRouteWithItsSimilarity() async throws {
        let engine = try ServingEngine(configuration: try ConfigurationLoader.parse(yaml, source: "t.yaml"))
        let response = try await engine.complete(ChatRequest(prompt: "Please review this contract clause for liability issues step by step"))
        guard case .semanticRoute(let name, let similarity) = response.decision.route.method else {
            Issue.record("expected the legal route, got \(response.decision.route.method)")
            return
        }
        #expect(name == "legal")
        #expect(similarity >= 0.6)
        #expect(response.decision.provider == "cloud")
        let plain = try await engine.complete(ChatRequest(prompt: "What is the capital of France?"))
        #expect(plain.decision.route.method == .scored)
    }

    /// Sends every text that mentions money to one direction, greetings to another and the rest
    /// to a third: a stand-in for a model that knows "invoice" and "billing" mean alike, which
    /// hashing does not.
    struct MoneyEmbedder: Embedder {
        let name = "money"
        let dimensions = 3
        func embed(_ text: String) async throws -> [Float] {
            if ["invoice", "billing", "refund", "charge"].contains(where: { text.contains($0) }) { return [1, 0, 0] }
            if ["hello", "morning", "hi,"].contains(where: { text.contains($0) }) { return [0, 1, 0] }
            return [0, 0, 1]
        }
    }

    @Test func semanticRoutesCompareWithTheCachesEmbedder() async throws {
        let configuration = try ConfigurationLoader.parse(yaml.replacingOccurrences(of: "[\"review this contract clause for liability\"]", with: "[\"a billing question\"]"), source: "t.yaml")
        let engine = try ServingEngine(configuration: configuration, embedder: MoneyEmbedder())
        // No word in common with the example: only an embedder that knows what it means matches.
        let response = try await engine.complete(ChatRequest(prompt: "Why was my card charged twice on the invoice?"))
        guard case .semanticRoute(let name, let similarity) = response.decision.route.method else {
            Issue.record("expected the route through the cache's embedder, got \(response.decision.route.method)")
            return
        }
        #expect(name == "legal" && similarity == 1)
        let plain = try await engine.complete(ChatRequest(prompt: "What is the capital of France?"))
        #expect(plain.decision.route.method == .scored)
    }

    /// Counts how often each text is embedded.
    final class CountingEmbedder: Embedder {
        let name = "counting"
        let dimensions = 3
        let calls = Mutex<[String: Int]>([:])
        func embed(_ text: String) async throws -> [Float] {
            calls.withLock { $0[text, default: 0] += 1 }
            return try await MoneyEmbedder().embed(text)
        }
    }

    @Test(arguments: ["Why was my card charged twice on the invoice?", "What is the capital of France?"])
    func aPromptIsEmbeddedOnceForTheRoutesAndTheCacheTogether(prompt: String) async throws {
        let embedder = CountingEmbedder()
        let engine = try ServingEngine(configuration: try ConfigurationLoader.parse(yaml, source: "t.yaml"), embedder: embedder)
        let response = try await engine.complete(ChatRequest(prompt: prompt))
        #expect(response.decision.cache == .miss(bestSimilarity: nil))
        #expect(embedder.calls.withLock { $0[PromptNormalizer.normalize(prompt)] } == 1)
        // The stored entry carries the router's vector: a paraphrase is a semantic hit.
        let again = try await engine.complete(ChatRequest(prompt: prompt + " Thanks"))
        guard case .semantic = again.decision.cache else {
            Issue.record("expected a semantic hit through the shared vector, got \(again.decision.cache)")
            return
        }
    }

    @Test func aRouteToAnUnknownTargetIsAConfigurationError() {
        #expect(throws: ConfigError.self) {
            try ConfigurationLoader.parse(yaml.replacingOccurrences(of: "target: cloud", with: "target: clod"), source: "t.yaml")
        }
    }

    @Test func theLearnedStrategyUsesTheBuiltInModelAndReportsItsProbability() throws {
        let learned = yaml.replacingOccurrences(of: "  thresholds:", with: "  strategy: learned\n  thresholds:")
        let configuration = try ConfigurationLoader.parse(learned, source: "t.yaml")
        #expect(configuration.router.strategy.name == "learned")
        let router = RequestRouter(configuration: configuration.router, thresholds: configuration.routerThresholds)
        let (score, reasons) = router.score(ChatRequest(prompt: "Find the degree of the field extension Q(sqrt(2), sqrt(3)) over Q."))
        #expect((0...1).contains(score))
        #expect(reasons.first?.feature == "learned")
    }

    @Test func aModelFileIsOnlyForTheLearnedStrategy() {
        let wrong = yaml.replacingOccurrences(of: "  thresholds:", with: "  model: router.json\n  thresholds:")
        #expect(throws: ConfigError.self) { try ConfigurationLoader.parse(wrong, source: "t.yaml") }
    }

    @Test func theOperatorMovesTheThresholdLiveAndSeesItsProjectedEffect() async throws {
        let engine = try ServingEngine(configuration: try ConfigurationLoader.parse(yaml, source: "t.yaml"))
        for prompt in ["What is DNA?", "Solve for x: 3x + 5 = 20", "Implement quicksort in Swift and prove it correct step by step", "hello"] {
            _ = try await engine.complete(ChatRequest(prompt: prompt + " (variant)"))
        }
        let before = engine.snapshot().router
        #expect(before.strategy == "rules")
        #expect(before.recentScores.count >= 2)
        let message = try engine.perform(.setRouterThreshold(0.99))
        #expect(message.hasPrefix("router threshold set to 0.99; recent traffic would send 0 % to the stronger tiers"))
        #expect(engine.snapshot().routerThresholds.first == .init(tier: "small", upTo: 0.99))
        let hard = try await engine.complete(ChatRequest(prompt: "Solve for x: 7x - 5 = 44"))
        #expect(hard.decision.route.tier == "small")
        #expect(throws: CommandError.self) { try engine.perform(.setRouterThreshold(1.5)) }
    }
}
