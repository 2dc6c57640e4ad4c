import CNCurses
package import Dashboard
import Foundation
import Measuring
package import ServingEngine

/// Measures the dashboard's render path under load: the engine serving simulated traffic at a
/// high rate while a UI thread takes snapshots and renders frames off-screen — into the
/// in-memory canvas, then through ncurses on a headless terminal (`newterm` on `/dev/null`).
///
/// ```swift
/// let report = try await DashboardBenchmark(rate: 1000, duration: .seconds(5)).run(engine: engine)
/// print(report.summary)
/// ```
package struct DashboardBenchmark: Sendable {
    /// Simulated requests per second while measuring.
    package var rate: Double
    /// How long the steady 10 fps phase runs.
    package var duration: Duration
    /// Frames rendered back to back after the steady phase, for percentiles.
    package var burstFrames: Int
    /// The screen size rendered.
    package var width: Int
    /// The screen size rendered.
    package var height: Int

    /// Read at the start and the end of the steady phase (counters such as process CPU seconds,
    /// bytes received); ``Report/steadyDeltas`` holds what each grew by.
    package var probe: @Sendable () -> [Double]

    /// Creates a benchmark.
    package init(rate: Double = 1000, duration: Duration = .seconds(5), burstFrames: Int = 300, width: Int = 160, height: Int = 48, probe: @escaping @Sendable () -> [Double] = { [] }) {
        self.probe = probe
        self.rate = rate
        self.duration = duration
        self.burstFrames = burstFrames
        self.width = width
        self.height = height
    }

    /// What was measured.
    package struct Report: Sendable {
        /// Snapshot plus rendering every pane into the canvas, per frame: p50.
        package var framePercentile50: Duration
        /// Snapshot plus rendering every pane into the canvas, per frame: p99.
        package var framePercentile99: Duration
        /// Copying the canvas to ncurses and updating the (headless) terminal: p50; nil if no
        /// headless terminal could be opened.
        package var blitPercentile50: Duration?
        /// The same, p99.
        package var blitPercentile99: Duration?
        /// Taking the engine snapshot alone (part of the frame): p50.
        package var snapshotPercentile50: Duration
        /// Rendering the panes alone (part of the frame): p50.
        package var renderPercentile50: Duration
        /// Rendering the panes alone: p99.
        package var renderPercentile99: Duration
        /// CPU time of the UI thread rendering the panes (not waiting for a core): p50.
        package var renderCPUPercentile50: Duration
        /// CPU time of the UI thread rendering the panes: p99.
        package var renderCPUPercentile99: Duration
        /// CPU time of the UI thread taking the engine snapshot: p50.
        package var snapshotCPUPercentile50: Duration
        /// The UI thread's CPU time per frame (snapshot, render and blit), mean.
        package var cpuPerFrame: Duration
        /// Frames measured.
        package var frames: Int
        /// The UI thread's CPU time over wall time during the steady 10 fps phase, in [0, 1] of one core.
        package var uiCPUShare: Double
        /// Requests the engine finished while measuring, per second.
        package var achievedRequestsPerSecond: Double
        /// Activity entries in the last frame (what the Routes pane had to choose from).
        package var activityEntries: Int
        /// Why the ncurses path was not measured, if it was not.
        package var ncursesNote: String?
        /// Frames of the steady 10 fps phase (the UI thread sleeps between them, as the dashboard
        /// does): p50 and p99 of the frame, and how many frames the scheduler took the UI thread
        /// off its core while it rendered them (involuntary context switches).
        package var steady = Phase()
        /// The same for the frames rendered back to back afterwards (a busy thread, which the
        /// scheduler time-slices against the other processes' threads).
        package var burst = Phase()
        /// How long the steady 10 fps phase lasted.
        package var steadyWall: Duration = .zero
        /// What each of ``DashboardBenchmark/probe``'s counters grew by during the steady phase.
        package var steadyDeltas: [Double] = []

        /// A few lines for people.
        package var summary: String {
            func ms(_ d: Duration) -> String { String(format: "%.3f ms", d.seconds * 1000) }
            var lines = [
                "load: \(String(format: "%.0f", achievedRequestsPerSecond)) requests/s finished while rendering (\(activityEntries) activity entries per snapshot)",
                "frame (snapshot + all panes into the canvas): p50 \(ms(framePercentile50))  p99 \(ms(framePercentile99))  over \(frames) frames",
                "  of which engine.snapshot(): p50 \(ms(snapshotPercentile50)); panes into the canvas: p50 \(ms(renderPercentile50))  p99 \(ms(renderPercentile99))",
                "  CPU time on the UI thread: snapshot p50 \(ms(snapshotCPUPercentile50)); panes p50 \(ms(renderCPUPercentile50))  p99 \(ms(renderCPUPercentile99)) (wall times include waiting for a core)",
                "UI thread CPU per frame (snapshot + render + blit): \(ms(cpuPerFrame)) mean",
            ]
            for (name, phase) in [("steady 10 fps", steady), ("back to back", burst)] where phase.frames > 0 {
                lines.append("  \(name): p50 \(ms(phase.percentile50))  p99 \(ms(phase.percentile99)) over \(phase.frames) frames; preempted while rendering in \(phase.preempted), p99 of the others \(ms(phase.unpreemptedPercentile99))")
            }
            if let p50 = blitPercentile50, let p99 = blitPercentile99 {
                lines.append("ncurses blit + doupdate (newterm on /dev/null): p50 \(ms(p50))  p99 \(ms(p99))")
            } else if let ncursesNote {
                lines.append("ncurses path not measured: \(ncursesNote)")
            }
            lines.append("UI thread CPU at 10 fps: \(String(format: "%.2f", uiCPUShare * 100)) % of one core")
            return lines.joined(separator: "\n")
        }
    }

    /// Frame times of one phase of the run.
    package struct Phase: Sendable {
        /// Frames rendered.
        package var frames = 0
        /// Frame time (snapshot and panes), p50.
        package var percentile50: Duration = .zero
        /// Frame time, p99.
        package var percentile99: Duration = .zero
        /// Frames during which the UI thread was preempted (lost its core to another thread).
        package var preempted = 0
        /// Frame time p99 of the frames that were not preempted.
        package var unpreemptedPercentile99: Duration = .zero
    }

    /// Runs the benchmark against `engine`, with its own traffic generator at ``rate``.
    package func run(engine: ServingEngine) async -> Report {
        await run(engine: engine, showing: engine)
    }

    /// Runs ``rate`` of traffic through `engine` while the UI thread renders what `view` shows:
    /// the engine itself, or a console attached to it over its admin stream.
    package func run(engine: ServingEngine, showing view: any DashboardEngine) async -> Report {
        _ = try? engine.perform(.setTrafficRate(rate))
        _ = try? engine.perform(.setTrafficPaused(false))
        let traffic = TrafficGenerator(engine: engine)
        let trafficTask = Task { await traffic.run() }
        defer { trafficTask.cancel() }
        // Let the load and the activity log fill up first.
        try? await Task.sleep(for: .seconds(1))
        return await run(showing: view) { engine.snapshot(activityLimit: 0).totals.requests }
    }

    /// Renders what `view` shows while someone else makes the load (a `switchboard serve` in
    /// another process, say); `requestsFinished` counts the requests the load has finished, for
    /// the achieved rate.
    package func run(showing view: any DashboardEngine, requestsFinished: @escaping @Sendable () -> Int) async -> Report {
        let before = requestsFinished()
        let started = ContinuousClock.now
        let benchmark = self
        let partial: Report = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: benchmark.measureOnThisThread(engine: view))
            }
            thread.name = "switchboard-ui-bench"
            thread.start()
        }
        let elapsed = ContinuousClock.now - started
        var report = partial
        report.achievedRequestsPerSecond = Double(requestsFinished() - before) / max(elapsed.seconds, 1e-9)
        return report
    }

    private func measureOnThisThread(engine: any DashboardEngine) -> Report {
        var state = DashboardState(width: width, height: height)
        var canvas = Canvas(width: width, height: height)
        var transcript = ConsoleTranscript()
        transcript.begin(ConsolePrompt(text: "benchmark prompt"))
        var screen: NCursesScreen?
        var note: String?
        do {
            let opened = try NCursesScreen(headless: (width, height))
            opened.apply(.default)
            screen = opened
        } catch {
            note = error.description
        }
        defer { screen?.close() }
        var frameTimes: [Duration] = []
        var snapshotTimes: [Duration] = []
        var renderTimes: [Duration] = []
        var snapshotCPU: [Duration] = []
        var renderCPU: [Duration] = []
        var blitTimes: [Duration] = []
        var activityEntries = 0
        let clock = ContinuousClock()

        var preempted: [Bool] = []
        func frame() {
            let switches = Self.involuntarySwitches()
            let start = clock.now
            let cpu0 = ThreadCPU.now()
            let snapshot = engine.snapshot(activityLimit: DashboardApp.activityRows)
            let snapped = clock.now
            let cpu1 = ThreadCPU.now()
            snapshotTimes.append(snapped - start)
            state.update(from: snapshot)
            activityEntries = snapshot.activity.count
            let frame = DashboardFrame(snapshot: snapshot, state: state, console: transcript, themeName: "default")
            DashboardRenderer.render(frame, into: &canvas)
            let rendered = clock.now
            let cpu2 = ThreadCPU.now()
            snapshotCPU.append(cpu1 - cpu0)
            renderCPU.append(cpu2 - cpu1)
            frameTimes.append(rendered - start)
            preempted.append(Self.involuntarySwitches() != switches)
            renderTimes.append(rendered - snapped)
            if let screen {
                screen.present(canvas)
                blitTimes.append(clock.now - rendered)
            }
        }

        // Steady phase: 10 frames a second, as the dashboard runs, for the CPU share.
        let probed = probe()
        let cpuStart = ThreadCPU.now()
        let wallStart = clock.now
        let end = wallStart + duration
        var next = wallStart
        while clock.now < end {
            frame()
            next += .milliseconds(100)
            let wait = next - clock.now
            if wait > .zero { Thread.sleep(forTimeInterval: wait.seconds) }
        }
        let cpuUsed = ThreadCPU.now() - cpuStart
        let cpu = cpuUsed.seconds
        let steadyWall = clock.now - wallStart
        let wall = steadyWall.seconds
        let deltas = zip(probe(), probed).map { $0 - $1 }
        let steadyFrames = frameTimes.count
        // Burst phase: frames back to back, for percentiles.
        for _ in 0..<burstFrames { frame() }

        func phase(_ range: Range<Int>) -> Phase {
            guard !range.isEmpty else { return Phase() }
            let times = Array(frameTimes[range])
            let flags = Array(preempted[range])
            let calm = zip(times, flags).filter { !$0.1 }.map(\.0)
            return Phase(frames: times.count, percentile50: Percentile.of(times, 0.5) ?? .zero, percentile99: Percentile.of(times, 0.99) ?? .zero,
                         preempted: flags.filter { $0 }.count, unpreemptedPercentile99: Percentile.of(calm, 0.99) ?? .zero)
        }
        return Report(
            framePercentile50: Percentile.of(frameTimes, 0.5) ?? .zero,
            framePercentile99: Percentile.of(frameTimes, 0.99) ?? .zero,
            blitPercentile50: Percentile.of(blitTimes, 0.5),
            blitPercentile99: Percentile.of(blitTimes, 0.99),
            snapshotPercentile50: Percentile.of(snapshotTimes, 0.5) ?? .zero,
            renderPercentile50: Percentile.of(renderTimes, 0.5) ?? .zero,
            renderPercentile99: Percentile.of(renderTimes, 0.99) ?? .zero,
            renderCPUPercentile50: Percentile.of(renderCPU, 0.5) ?? .zero,
            renderCPUPercentile99: Percentile.of(renderCPU, 0.99) ?? .zero,
            snapshotCPUPercentile50: Percentile.of(snapshotCPU, 0.5) ?? .zero,
            cpuPerFrame: cpuUsed / max(1, steadyFrames),
            frames: frameTimes.count,
            uiCPUShare: cpu / max(wall, 1e-9),
            achievedRequestsPerSecond: 0,
            activityEntries: activityEntries,
            ncursesNote: note,
            steady: phase(0..<steadyFrames),
            burst: phase(steadyFrames..<frameTimes.count),
            steadyWall: steadyWall,
            steadyDeltas: deltas)
    }

    /// The calling thread's involuntary context switches so far (Linux `getrusage(RUSAGE_THREAD)`).
    static func involuntarySwitches() -> Int {
        var usage = rusage()
        // RUSAGE_THREAD (1) is a GNU extension the Glibc module does not name.
        guard getrusage(__rusage_who_t(1), &usage) == 0 else { return 0 }
        return usage.ru_nivcsw
    }
}
