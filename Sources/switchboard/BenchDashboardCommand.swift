import ArgumentParser
import Dashboard
import ServingEngine

/// `switchboard bench dashboard`: the dashboard's frame time and UI CPU share under load.
struct BenchDashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Measure the dashboard's frame time and UI thread CPU under simulated load.",
        discussion: """
            Runs the built-in engine with its traffic generator at --rps while a UI thread renders \
            frames off-screen: into the in-memory canvas, then through ncurses on a headless \
            terminal (newterm on /dev/null). Reports frame time p50/p99 and the UI thread's CPU \
            share at 10 fps. Aim: frames well under 5 ms, UI under 10 % of one core. Example:
              swift run -c release switchboard bench dashboard --rps 1000 --seconds 5
            """
    )

    @Option(help: "Simulated requests per second.")
    var rps: Double = 1000

    @Option(help: "Seconds of steady 10 fps rendering.")
    var seconds: Int = 5

    @Option(help: "Frames rendered back to back afterwards, for percentiles.")
    var burst: Int = 300

    @Option(help: "Screen size rendered, WIDTHxHEIGHT.")
    var size: String = "160x48"

    func run() async throws {
        let parts = size.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0 else {
            throw ValidationError("--size must be WIDTHxHEIGHT, e.g. 160x48; got '\(size)'")
        }
        let engine = try ServingEngine(configuration: .builtIn)
        let benchmark = DashboardBenchmark(rate: rps, duration: .seconds(seconds), burstFrames: burst, width: parts[0], height: parts[1])
        let report = await benchmark.run(engine: engine)
        print(report.summary)
        let snapshot = engine.snapshot()
        let totals = snapshot.totals
        print("engine: embedder \(snapshot.cache.embedder)\(snapshot.cache.embedderVariant.map { " (\($0))" } ?? ""); \(totals.requests) requests, \(totals.exactHits) exact and \(totals.semanticHits) semantic hits, \(totals.embedderFailures) cache lookups skipped as unavailable")
    }
}
