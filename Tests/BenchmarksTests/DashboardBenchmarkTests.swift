import Benchmarks
import Dashboard
import ServingEngine
import Testing

/// The benchmark's render path runs end to end, headless ncurses included.
@Suite struct BenchmarkTests {
    @Test func shortRunMeasuresFramesAndCPU() async throws {
        // The hashing embedder: loading MiniLM would cost this test process 0.7 s of shared CPU.
        var configuration = EngineConfiguration.builtIn
        configuration.embedder = EmbedderConfiguration(kind: .hashing)
        let engine = try ServingEngine(configuration: configuration)
        let report = await DashboardBenchmark(rate: 50, duration: .milliseconds(300), burstFrames: 10, width: 120, height: 40).run(engine: engine)
        #expect(report.frames >= 10)
        #expect(report.framePercentile50 > .zero)
        #expect(report.uiCPUShare > 0 && report.uiCPUShare < 1)
        if let note = report.ncursesNote { Issue.record("headless ncurses did not open: \(note)") }
        #expect(report.summary.contains("frame"))
    }
}
