import ArgumentParser
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
    }
}
