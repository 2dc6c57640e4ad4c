import ArgumentParser
import Benchmarks
import Foundation
import ServingEngine

/// `switchboard bench engine`: the engine's hot paths.
struct BenchEngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Measure routing, embedding, cache lookups and the engine's own overhead.",
        discussion: """
            The overhead figure is a whole request through cache, router and cascade over a provider \
            that answers at once, against calling that provider directly in the same run. Build \
            with -c release for figures worth quoting. Example:
              swift run -c release switchboard bench engine --iterations 50000
            """
    )

    @Option(help: "Operations per measurement.")
    var iterations: Int = 20_000

    @Option(help: "Cache entries during the lookup measurements.")
    var cacheEntries: Int = 10_000

    @Option(help: "Requests of the demo's traffic mix sent flat out in the load measurement (0 skips it).")
    var loadRequests: Int = 20_000

    @Option(help: "Concurrent callers in the flat-out load measurement.")
    var clients: Int = 64

    @Option(help: "Offered requests per second in the open-loop load measurement.")
    var rate: Double = 1_000

    @Option(help: "Seconds of the open-loop load measurement.")
    var openLoopSeconds: Double = 5

    @Option(help: "The minilm model folder for the load measurement (skipped when it is missing).")
    var minilmFolder: String = EmbedderConfiguration.defaultMiniLMFolder

    @Option(help: "The cache's lookup budget in the load measurement's last set-up, in milliseconds (0 skips that set-up).")
    var lookupBudgetMs: Int = 4

    func validate() throws {
        guard lookupBudgetMs >= 0, lookupBudgetMs <= 60_000 else {
            throw ValidationError("--lookup-budget-ms must be from 0 (skip) to 60000 milliseconds, got \(lookupBudgetMs)")
        }
    }

    func run() async throws {
        let results = try await EngineBenchmark(iterations: iterations, cacheEntries: cacheEntries).run()
        print("operation                                   ops      ops/s     p50        p99")
        for result in results {
            let name = result.name.padding(toLength: 40, withPad: " ", startingAt: 0)
            print("\(name) \(String(format: "%7d %10.0f", result.operations, result.operationsPerSecond))  \(DurationFormat.short(result.latency.p50).padding(toLength: 10, withPad: " ", startingAt: 0)) \(DurationFormat.short(result.latency.p99))")
        }
        if let baseline = results.first(where: { $0.name.hasPrefix("baseline") }), let engine = results.first(where: { $0.name == "engine request, cache bypassed" }) {
            let added50 = engine.latency.p50 - baseline.latency.p50
            let added99 = engine.latency.p99 - baseline.latency.p99
            print("engine overhead over a direct call: p50 +\(DurationFormat.short(added50)), p99 +\(DurationFormat.short(added99)) (\(String(format: "%.1f", engine.latency.p50.seconds / max(baseline.latency.p50.seconds, 1e-9)))× the baseline p50)")
        }
        guard loadRequests > 0 else { return }
        guard FileManager.default.fileExists(atPath: minilmFolder + "/config.json") else {
            print("load with minilm: skipped, no model in \(minilmFolder) (scripts/fetch-minilm.sh fetches it)")
            return
        }
        var setups: [(name: String, batching: EmbeddingBatcher.Settings?, budget: Duration?)] = [
            ("minilm, one call each (before)", nil, nil),
            ("minilm, batched, a worker per core", EmbeddingBatcher.Settings(), nil),
            ("… with workers at nice 0 (before)", EmbeddingBatcher.Settings(niceness: 0), nil),
            ("… a batch to one worker (before)", EmbeddingBatcher.Settings(sharesBatches: false), nil),
        ]
        if lookupBudgetMs > 0 {
            setups.append(("… batched, lookup budget \(lookupBudgetMs) ms", EmbeddingBatcher.Settings(), .milliseconds(lookupBudgetMs)))
        }
        let openCount = max(1, Int(rate * openLoopSeconds))
        let mix = EngineBenchmark.demoMix(count: loadRequests + openCount)
        let closed = Array(mix.prefix(loadRequests)), open = Array(mix.suffix(openCount))
        print("")
        print("engine, cache on, the demo's traffic mix over an instant provider: \(loadRequests) requests from \(clients) concurrent callers, then \(openCount) at \(Int(rate))/s offered (Poisson)")
        print("embedder                               flat out req/s   p50       p99     | at \(Int(rate))/s p50   p99      | exact  sem   miss  unavail")
        for (name, batching, budget) in setups {
            let embedder: MiniLMEmbedder
            do {
                embedder = try MiniLMEmbedder(folder: minilmFolder, batching: batching)
            } catch {
                throw ValidationError("--minilm-folder: \(error.description)")
            }
            let result = try await EngineBenchmark.load(name: name, embedder: embedder, lookupBudget: budget, requests: closed, clients: clients, rate: rate, openLoopRequests: open)
            let columns = [
                String(format: "%14.0f", result.requestsPerSecond), DurationFormat.short(result.closedLoop.p50).padding(toLength: 9, withPad: " ", startingAt: 0),
                DurationFormat.short(result.closedLoop.p99).padding(toLength: 8, withPad: " ", startingAt: 0), "|",
                DurationFormat.short(result.openLoop.p50).padding(toLength: 8, withPad: " ", startingAt: 0), DurationFormat.short(result.openLoop.p99).padding(toLength: 8, withPad: " ", startingAt: 0), "|",
                String(format: "%5d %5d %5d %5d", result.exact, result.semantic, result.misses, result.unavailable),
            ]
            print(name.padding(toLength: 38, withPad: " ", startingAt: 0) + " " + columns.joined(separator: " "))
            if let batcher = result.closedLoopBatcher {
                print("  batches flat out: \(batcher.batches) for \(batcher.texts) texts (mean \(String(format: "%.1f", batcher.meanBatch)), largest \(batcher.largestBatch)), \(batcher.rejected) refused as overload; added wait for a worker p50 \(Self.ms(batcher.queueWait.p50)), p99 \(Self.ms(batcher.queueWait.p99)), max \(Self.ms(batcher.queueWait.max))")
            }
            let open = result.openLoopBreakdown
            print("  at \(Int(rate))/s: p50 \(Self.ms(result.openLoop.p50)), p99 \(Self.ms(result.openLoop.p99)), max \(Self.ms(result.openLoop.max)); task start after its arrival p50 \(Self.ms(open.startDelay.p50)), p99 \(Self.ms(open.startDelay.p99))")
            print("  engine latency at \(Int(rate))/s, p50 / p99 (count): exact \(Self.ms(open.exact.p50)) / \(Self.ms(open.exact.p99)) (\(open.exact.count)), embedded \(Self.ms(open.embedded.p50)) / \(Self.ms(open.embedded.p99)) (\(open.embedded.count)), unavailable \(Self.ms(open.unavailable.p50)) / \(Self.ms(open.unavailable.p99)) (\(open.unavailable.count))")
            if let batcher = result.openLoopBatcher {
                print("  batches at \(Int(rate))/s: \(batcher.batches) for \(batcher.texts) texts (mean \(String(format: "%.2f", batcher.meanBatch)), \(batcher.sharedBatches) shared by both workers), \(batcher.rejected) refused as overload; arrival to embedding p50 \(Self.ms(batcher.embeddingWait.p50)), p99 \(Self.ms(batcher.embeddingWait.p99)); later than the bound's estimate p50 \(Self.ms(batcher.lateness.p50)), p99 \(Self.ms(batcher.lateness.p99))")
            }
        }
    }

    /// Milliseconds with two decimals: the open-loop aims are a few milliseconds.
    private static func ms(_ duration: Duration) -> String {
        String(format: "%.2f ms", duration.seconds * 1000)
    }
}
