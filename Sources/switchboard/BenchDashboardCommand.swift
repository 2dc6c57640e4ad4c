import ArgumentParser
import Benchmarks
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
            share at 10 fps. Aim: frames well under 5 ms, UI under 10 % of one core.
            With --attached, the console is measured as it is deployed: this process starts \
            `switchboard serve --simulate-traffic RPS` as a child (its own process, the built-in \
            demo configuration) and renders a console attached to it over /admin/stream; the \
            console's CPU (this process) and feed bytes are reported beside the server's CPU \
            (from /proc). --connect URL measures a console attached to a server already running \
            (--server-pid PID adds its CPU); --in-process keeps server and console in one process. \
            Examples:
              swift run -c release switchboard bench dashboard --rps 1000 --seconds 5
              swift run -c release switchboard bench dashboard --attached --rps 1000 --seconds 10
              switchboard bench dashboard --connect http://127.0.0.1:8080 --server-pid 4242
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

    @Flag(help: "Render a console attached over /admin/stream to a `switchboard serve` started here as a child process.")
    var attached = false

    @Flag(name: .customLong("in-process"), help: "With --attached: serve the gateway from this process instead of a child.")
    var inProcess = false

    @Option(help: "Render a console attached to the server already running at this URL (its load is its own).")
    var connect: String?

    @Option(name: .customLong("server-pid"), help: "With --connect: the server's process id, whose CPU is then reported.")
    var serverPID: Int32?

    @Option(name: .customLong("admin-token-env"), help: "With --connect: the environment variable that holds the server's admin token.")
    var adminTokenEnv: String?

    @Option(help: "With --attached or --connect: the most decisions one feed frame carries (as `switchboard console --sample`).")
    var sample: Int = AttachedEngine.defaultSampleSize

    func validate() throws {
        guard rps > 0, rps <= 100_000 else { throw CommandFailure("--rps must be between 0 and 100000, got \(rps)") }
        guard seconds >= 1 else { throw CommandFailure("--seconds must be at least 1, got \(seconds)") }
        if inProcess, !attached { throw CommandFailure("--in-process goes with --attached") }
        if connect != nil, attached { throw CommandFailure("--connect measures a server already running; --attached starts one: pick one") }
        if serverPID != nil || adminTokenEnv != nil, connect == nil { throw CommandFailure("--server-pid and --admin-token-env go with --connect") }
        guard (1...500).contains(sample) else { throw CommandFailure("--sample must be from 1 to 500, got \(sample)") }
    }

    func run() async throws {
        let parts = size.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0 else {
            throw CommandFailure("--size must be WIDTHxHEIGHT, e.g. 160x48; got '\(size)'")
        }
        #if DEBUG
        print("switchboard bench dashboard — debug build (use -c release for figures worth quoting)")
        #else
        print("switchboard bench dashboard — release build")
        #endif
        if let connect {
            var token: String?
            if let adminTokenEnv {
                guard let value = ProcessInfo.processInfo.environment[adminTokenEnv], !value.isEmpty else {
                    throw CommandFailure("--admin-token-env: the environment variable \(adminTokenEnv) is not set or empty")
                }
                token = value
            }
            try await measureAttached(url: connect, adminToken: token, serverPID: serverPID, width: parts[0], height: parts[1])
            return
        }
        if attached, !inProcess {
            let server = try await ChildServer.start(rps: rps)
            do {
                print("server: switchboard serve --simulate-traffic \(Self.number(rps)) (pid \(server.pid)) at \(server.url)")
                // Let the load and the server's activity log fill up first.
                try await Task.sleep(for: .seconds(2))
                try await measureAttached(url: server.url, adminToken: nil, serverPID: server.pid, width: parts[0], height: parts[1])
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
            return
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

    /// A console in this process attached to `url`: frames, the feed, this process's CPU and,
    /// given its pid, the server's — all over the steady 10 fps phase.
    private func measureAttached(url: String, adminToken: String?, serverPID: Int32?, width: Int, height: Int) async throws {
        let console: AttachedEngine
        do {
            console = try AttachedEngine(url: url, adminToken: adminToken, sampleSize: sample)
            try await console.checkAccess()
        } catch {
            throw CommandFailure(error.description)
        }
        console.start()
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, console.link.state != .live { try await Task.sleep(for: .milliseconds(50)) }
        guard console.link.state == .live else {
            await console.stop()
            throw CommandFailure("the console attached to \(url) got no frame in 10 s (\(console.link.state))")
        }
        // A second of frames first, so the Routes pane is full as it is in use.
        try await Task.sleep(for: .seconds(1))
        let probe: @Sendable () -> [Double] = {
            let link = console.link
            return [Self.processCPU().seconds, serverPID.flatMap(Self.processCPU(pid:))?.seconds ?? 0, Double(link.bytesReceived), Double(link.frames),
                    link.decodeCPU.seconds, Double(link.decisionsSeen), Double(link.decisionsShown)]
        }
        let benchmark = DashboardBenchmark(rate: rps, duration: .seconds(seconds), burstFrames: burst, width: width, height: height, probe: probe)
        let report = await benchmark.run(showing: console) { console.snapshot(activityLimit: 0).totals.requests }
        await console.stop()
        let wall = max(report.steadyWall.seconds, 1e-9)
        let d = report.steadyDeltas
        print("attached console: this process, frames from \(url)/admin/stream?fps=10&sample=\(sample)")
        print(report.summary)
        print(String(format: "feed over the steady phase: %.1f frames/s (10 asked), %.1f KB/s (%.1f KB a frame), decoding %.2f %% of one core; %.0f of %.0f decisions carried",
                     d[3] / wall, d[2] / wall / 1024, d[2] / max(1, d[3]) / 1024, d[4] / wall * 100, d[6], d[5]))
        print(String(format: "console process CPU (UI, feed reading and decoding): %.1f %% of one core over %.1f s", d[0] / wall * 100, wall))
        if let serverPID {
            print(String(format: "server process CPU (pid %d: engine at the load, gateway, feed encoding): %.1f %% of one core", serverPID, d[1] / wall * 100))
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// What the engine did during the run: its embedder, requests and hits, lookups skipped.
    static func printEngineTotals(_ engine: ServingEngine) {
        let snapshot = engine.snapshot()
        let totals = snapshot.totals
        print("engine: embedder \(snapshot.cache.embedder)\(snapshot.cache.embedderVariant.map { " (\($0))" } ?? ""); \(totals.requests) requests, \(totals.exactHits) exact and \(totals.semanticHits) semantic hits, \(totals.embedderFailures) cache lookups skipped as unavailable")
    }

    /// Another process's CPU time (user and system) from /proc/PID/stat; nil where unreadable.
    static func processCPU(pid: Int32) -> Duration? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // After "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int64(fields[11]), let system = Int64(fields[12]) else { return nil }
        let ticks = Int64(sysconf(Int32(_SC_CLK_TCK)))
        return .milliseconds((user + system) * 1000 / max(1, ticks))
    }

    static func processCPU() -> Duration {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return .seconds(Int64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)) + .microseconds(Int64(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec))
    }
}
