import Foundation
import Testing

/// `switchboard serve --cache-file` across a graceful restart and a damaged file, driven by a
/// small standard-library Python script (the same interpreter as the openai client test).
@Suite("serve --cache-file", .enabled(if: ProcessInfo.processInfo.environment["SWITCHBOARD_SKIP_PYTHON"] != "1"))
struct CacheFileEndToEndTests {
    @Test func cachedAnswersSurviveARestartAndADamagedFileIsSetAside() async throws {
        let python = GatewayPythonClientTests.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("no Python environment at \(python); run `bash scripts/python-venv.sh` first (or set SWITCHBOARD_SKIP_PYTHON=1)")
            return
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-cache-file-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let script = GatewayPythonClientTests.repository.appendingPathComponent("Tests/SwitchboardEndToEndTests/python/cache_file_test.py").path
        let output = try await SwitchboardBinary.run(executable: URL(fileURLWithPath: python), [script, SwitchboardBinary.url.path, scratch.path], timeout: .seconds(120))
        let text = output.standardOutput + output.standardError
        #expect(output.status == 0, "\(text)")
        #expect(text.contains("all checks passed"), "\(text)")
    }
}
