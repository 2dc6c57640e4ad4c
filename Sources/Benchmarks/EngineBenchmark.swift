import Foundation
package import ServingEngine
import TestSupport

/// Measures the engine's hot paths: routing, embedding, cache lookups and the whole request
/// path over an instant provider, against a baseline of calling that provider directly.
package struct EngineBenchmark: Sendable {
    /// One measured operation.
    package struct Result: Sendable {
        /// What was measured.
        package var name: String
        /// How many times.
        package var operations: Int
        /// Latency percentiles.
        package var latency: LatencySummary
        /// Operations per second on one task.
        package var operationsPerSecond: Double
    }

    /// How many operations each measurement runs.
    package var iterations: Int
    /// How many entries the cache holds during the lookup measurements.
    package var cacheEntries: Int

    /// Creates a benchmark.
    package init(iterations: Int = 20_000, cacheEntries: Int = 10_000) {
        self.iterations = iterations
        self.cacheEntries = cacheEntries
    }

    /// Runs every measurement and returns the results in order.
    package func run() async throws -> [Result] {
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

        let cache = SemanticCache(settings: .init(maxEntries: cacheEntries * 2), rule: .threshold(CacheDecisionConfiguration.defaultSimilarityThreshold), embedder: embedder)
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

    /// The cache-on engine under the demo's traffic mix, with a given embedder: flat out from
    /// `clients` concurrent callers (closed loop), then at a fixed offered rate (open loop,
    /// latency from each request's scheduled arrival, so a backlog shows in the tail).
    package struct LoadResult: Sendable {
        /// Which embedder set-up was measured.
        package var name: String
        /// Requests completed flat out and the seconds they took.
        package var closedLoopRequests: Int, closedLoopSeconds: Double
        /// Latency percentiles flat out.
        package var closedLoop: LatencySummary
        /// The offered rate of the open-loop run, requests per second.
        package var offeredRate: Double
        /// Latency percentiles at the offered rate.
        package var openLoop: LatencySummary
        /// Where the open-loop latency went: from its scheduled arrival to when its task started
        /// (the caller's own lateness, on a machine whose cores the embedder also wants), and the
        /// engine's own latency for each cache outcome.
        package var openLoopBreakdown: OpenLoopBreakdown
        /// The batcher's figures over the flat-out run, when the embedder batches.
        package var closedLoopBatcher: EmbeddingBatcher.Statistics?
        /// The batcher's figures over the open-loop run alone (counters and distributions), when
        /// the embedder batches.
        package var openLoopBatcher: EmbeddingBatcher.Statistics?
        /// Cache outcomes over both runs: exact hits, semantic hits, misses, `unavailable`.
        package var exact: Int, semantic: Int, misses: Int, unavailable: Int

        /// Requests per second flat out.
        package var requestsPerSecond: Double { Double(closedLoopRequests) / max(closedLoopSeconds, 1e-9) }
    }

    /// Requests drawn as the demo's traffic generator draws them: the prompt catalog's families,
    /// paraphrases and long tail, 35 % hard prompts, the built-in configuration's tenants with
    /// skewed shares. Seeded, so every set-up gets the same sequence.
    package static func demoMix(count: Int, seed: UInt64 = 42) -> [ChatRequest] {
        let catalog = PromptCatalog()
        var random = SeededRandom(seed: seed)
        let tenants = EngineConfiguration.builtIn.traffic.tenants
        var cumulative: [Double] = []
        var total = 0.0
        for rank in 1...max(tenants.count, 1) {
            total += 1 / Double(rank)
            cumulative.append(total)
        }
        return (0..<count).map { _ in
            let draw = catalog.draw(hardShare: 0.35, using: &random)
            let target = random.unit() * total
            let tenant = tenants[cumulative.firstIndex { $0 >= target } ?? tenants.count - 1]
            return ChatRequest(model: ChatRequest.automaticModel, messages: [ChatMessage(role: .user, content: draw.prompt)], tenant: tenant)
        }
    }

    /// Measures the engine with the cache on and `embedder` over an instant provider: `requests`
    /// flat out from `clients` concurrent callers, then `openLoopRequests` more at `rate` per
    /// second, on one engine (so the second run meets the cache the first one filled), the cache's
    /// lookup budget `lookupBudget` (nil: none).
    package static func load(name: String, embedder: any Embedder, lookupBudget: Duration? = nil, requests: [ChatRequest], clients: Int, rate: Double, openLoopRequests: [ChatRequest]) async throws -> LoadResult {
        let provider = InstantProvider(name: "instant", answer: "a short instant answer of eight words")
        var configuration = EngineConfiguration.builtIn
        configuration.cache.lookupBudget = lookupBudget
        configuration.providers = [ProviderConfiguration(name: "instant", model: "instant", pricing: .init(inputPerMillion: 1, outputPerMillion: 1))]
        configuration.tiers = [TierConfiguration(name: "small", chain: ["instant"]), TierConfiguration(name: "frontier", chain: ["instant"])]
        let engine = try ServingEngine(configuration: configuration, providers: [provider], embedder: embedder)
        let clock = ContinuousClock()

        let closedStart = clock.now
        let callers = max(1, clients)
        let closed = await withTaskGroup(of: LatencyHistogram.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    var histogram = LatencyHistogram()
                    // Caller c sends requests c, c + callers, c + 2·callers, …
                    for index in stride(from: caller, to: requests.count, by: callers) {
                        let began = clock.now
                        _ = try? await engine.complete(requests[index])
                        histogram.record(clock.now - began)
                    }
                    return histogram
                }
            }
            var merged = LatencyHistogram()
            for await histogram in group { merged.add(histogram) }
            return merged
        }
        let closedSeconds = (clock.now - closedStart).seconds

        // Poisson arrivals at `rate`, each request in its own task, timed from its scheduled
        // arrival rather than from when it happened to start.
        var random = SeededRandom(seed: 99)
        let batcher = (embedder as? MiniLMEmbedder)?.batcher
        let closedLoopBatcher = batcher?.statistics
        batcher?.resetDistributions()
        let (open, breakdown) = await withTaskGroup(of: OpenLoopSample.self) { group in
            var due = clock.now
            for request in openLoopRequests {
                due += .seconds(random.exponential(rate: rate))
                if due > clock.now { try? await Task.sleep(until: due, clock: clock) }
                let scheduled = due
                group.addTask {
                    let started = clock.now
                    let response = try? await engine.complete(request)
                    return OpenLoopSample(total: clock.now - scheduled, startDelay: started - scheduled, engine: response?.decision.latency, cache: response?.decision.cache)
                }
            }
            var histogram = LatencyHistogram()
            var breakdown = OpenLoopBreakdown.Histograms()
            for await sample in group {
                histogram.record(sample.total)
                breakdown.record(sample)
            }
            return (histogram, breakdown.summary())
        }
        let totals = engine.snapshot().totals
        let openLoopBatcher = closedLoopBatcher.flatMap { before in
            batcher.map { batcher in
                var after = batcher.statistics
                after.texts -= before.texts
                after.batches -= before.batches
                after.rejected -= before.rejected
                after.remembered -= before.remembered
                after.joined -= before.joined
                after.sharedBatches -= before.sharedBatches
                return after
            }
        }
        let all = requests.count + openLoopRequests.count
        return LoadResult(
            name: name, closedLoopRequests: requests.count, closedLoopSeconds: closedSeconds, closedLoop: closed.summary(),
            offeredRate: rate, openLoop: open.summary(), openLoopBreakdown: breakdown, closedLoopBatcher: closedLoopBatcher, openLoopBatcher: openLoopBatcher,
            exact: totals.exactHits, semantic: totals.semanticHits, misses: all - totals.exactHits - totals.semanticHits - totals.embedderFailures,
            unavailable: totals.embedderFailures
        )
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
