import Foundation

/// Measures the engine's hot paths: routing, embedding, cache lookups and the whole request
/// path over an instant provider, against a baseline of calling that provider directly.
public struct EngineBenchmark: Sendable {
    /// One measured operation.
    public struct Result: Sendable {
        /// What was measured.
        public var name: String
        /// How many times.
        public var operations: Int
        /// Latency percentiles.
        public var latency: LatencySummary
        /// Operations per second on one task.
        public var operationsPerSecond: Double
    }

    /// How many operations each measurement runs.
    public var iterations: Int
    /// How many entries the cache holds during the lookup measurements.
    public var cacheEntries: Int

    /// Creates a benchmark.
    public init(iterations: Int = 20_000, cacheEntries: Int = 10_000) {
        self.iterations = iterations
        self.cacheEntries = cacheEntries
    }

    /// Runs every measurement and returns the results in order.
    public func run() async throws -> [Result] {
        let catalog = PromptCatalog()
        var random = SeededRandom(seed: 7)
        let prompts = (0..<1000).map { _ in catalog.draw(hardShare: 0.35, using: &random).prompt }
        let requests = prompts.map { ChatRequest(prompt: $0) }
        var results: [Result] = []

        let router = ComplexityRouter(thresholds: [.init(tier: "small", upTo: 0.35), .init(tier: "frontier", upTo: 1)])
        results.append(measure("route one prompt", iterations) { i in _ = router.route(requests[i % requests.count]) })
        let learned = try LearnedRouterModel.builtIn()
        results.append(measure("route one prompt (learned)", iterations) { i in _ = learned.probability(for: prompts[i % prompts.count]) })

        let embedder = HashingEmbedder()
        results.append(measure("hashing embed one prompt", iterations) { i in _ = embedder.vector(for: prompts[i % prompts.count]) })

        let cache = SemanticCache(settings: .init(maxEntries: cacheEntries * 2), embedder: embedder)
        for index in 0..<cacheEntries {
            let request = ChatRequest(prompt: "synthetic prompt number \(index) about topic \(index % 97) and \(index % 13)")
            cache.store(.init(text: "answer \(index)", usage: TokenUsage(promptTokens: 10, completionTokens: 10), provider: "p", model: "m"), for: try await cache.key(for: request))
        }
        let stored = (0..<1000).map { ChatRequest(prompt: "synthetic prompt number \($0 * 7 % cacheEntries) about topic \(($0 * 7 % cacheEntries) % 97) and \(($0 * 7 % cacheEntries) % 13)") }
        results.append(try await measureAsync("cache exact hit (\(cacheEntries) entries)", iterations) { i in _ = try await cache.lookup(stored[i % stored.count]) })
        results.append(try await measureAsync("cache semantic scan (\(cacheEntries) entries)", iterations / 10) { i in _ = try await cache.lookup(requests[i % requests.count]) })

        let provider = InstantProvider(name: "instant", answer: "a short instant answer of eight words")
        let baseline = try await measureAsync("baseline: provider called directly", iterations) { i in
            for try await _ in provider.stream(ProviderRequest(messages: requests[i % requests.count].messages, sampling: .init(), requestID: "b")) {}
        }
        results.append(baseline)
        var configuration = EngineConfiguration.builtIn
        configuration.providers = [ProviderConfiguration(name: "instant", model: "instant", pricing: .init(inputPerMillion: 1, outputPerMillion: 1))]
        configuration.tiers = [TierConfiguration(name: "small", chain: ["instant"]), TierConfiguration(name: "frontier", chain: ["instant"])]
        let engine = try ServingEngine(configuration: configuration, providers: [provider])
        results.append(try await measureAsync("engine request, cache bypassed", iterations) { i in
            var request = requests[i % requests.count]
            request.options = RequestOptions(cacheLookup: false, cacheStore: false)
            _ = try await engine.complete(request)
        })
        results.append(try await measureAsync("engine request, cache on", iterations) { i in
            _ = try await engine.complete(requests[i % requests.count])
        })
        return results
    }

    private func measure(_ name: String, _ count: Int, _ body: (Int) -> Void) -> Result {
        var histogram = LatencyHistogram()
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<count {
            let t0 = clock.now
            body(i)
            histogram.record(clock.now - t0)
        }
        return Result(name: name, operations: count, latency: histogram.summary(), operationsPerSecond: Double(count) / (clock.now - start).seconds)
    }

    private func measureAsync(_ name: String, _ count: Int, _ body: (Int) async throws -> Void) async throws -> Result {
        var histogram = LatencyHistogram()
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<count {
            let t0 = clock.now
            try await body(i)
            histogram.record(clock.now - t0)
        }
        return Result(name: name, operations: count, latency: histogram.summary(), operationsPerSecond: Double(count) / (clock.now - start).seconds)
    }
}
