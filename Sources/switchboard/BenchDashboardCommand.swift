import ArgumentParser
import Dashboard
import Foundation
import Gateway
import Logging
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
            share at 10 fps. Aim: frames well under 5 ms, UI under 10 % of one core. With \
            --attached, the frames show a console attached over the gateway's /admin/stream on \
            loopback (server and console in this one process), and the feed's bytes, frames and \
            decoding CPU are reported beside the process's CPU. Examples:
              swift run -c release switchboard bench dashboard --rps 1000 --seconds 5
              swift run -c release switchboard bench dashboard --rps 1000 --attached
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

    @Flag(help: "Render a console attached to the engine's gateway over /admin/stream instead of the engine itself.")
    var attached = false

    func run() async throws {
        let parts = size.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0 else {
            throw ValidationError("--size must be WIDTHxHEIGHT, e.g. 160x48; got '\(size)'")
        }
        let engine = try ServingEngine(configuration: .builtIn)
        let benchmark = DashboardBenchmark(rate: rps, duration: .seconds(seconds), burstFrames: burst, width: parts[0], height: parts[1])
        guard attached else {
            print(await benchmark.run(engine: engine).summary)
            Self.printEngineTotals(engine)
            return
        }
        let settings = try GatewaySettings.resolve(GatewayConfiguration(), listen: "127.0.0.1:0", allowUnauthenticated: false, environment: [:])
        let gateway = GatewayServer(engine: engine, settings: settings, logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        let serving = Task { try? await gateway.run() }
        defer { serving.cancel() }
        let address = try await gateway.listeningAddress()
        let console = try AttachedEngine(url: "http://\(address)", adminToken: nil)
        try await console.checkAccess()
        console.start()
        let cpuBefore = Self.processCPU()
        let before = console.link
        let started = ContinuousClock.now
        let report = await benchmark.run(engine: engine, showing: console)
        let wall = (ContinuousClock.now - started).seconds
        let after = console.link
        let cpu = (Self.processCPU() - cpuBefore).seconds
        await console.stop()
        print("attached console: frames from http://\(address)/admin/stream (loopback, server and console in one process)")
        print(report.summary)
        let frames = after.frames - before.frames
        let bytes = after.bytesReceived - before.bytesReceived
        print(String(format: "feed: %.1f frames/s, %.1f KB/s (%.1f KB a frame), decoding %.2f %% of one core; %d of %d decisions carried",
                     Double(frames) / wall, Double(bytes) / wall / 1024, Double(bytes) / Double(max(1, frames)) / 1024,
                     (after.decodeCPU - before.decodeCPU).seconds / wall * 100, after.decisionsShown - before.decisionsShown, after.decisionsSeen - before.decisionsSeen))
        print(String(format: "process CPU (engine at the load, gateway, feed encoding and decoding, UI): %.1f %% of one core over %.1f s", cpu / wall * 100, wall))
    }

    /// What the engine did during the run: its embedder, requests and hits, lookups skipped.
    static func printEngineTotals(_ engine: ServingEngine) {
        let snapshot = engine.snapshot()
        let totals = snapshot.totals
        print("engine: embedder \(snapshot.cache.embedder)\(snapshot.cache.embedderVariant.map { " (\($0))" } ?? ""); \(totals.requests) requests, \(totals.exactHits) exact and \(totals.semanticHits) semantic hits, \(totals.embedderFailures) cache lookups skipped as unavailable")
    }

    static func processCPU() -> Duration {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return .seconds(Int64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)) + .microseconds(Int64(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec))
    }
}
