import Foundation
import Testing

/// The official `openai` Python client against the real `switchboard serve` binary.
///
/// Needs the private environment made by `scripts/python-venv.sh` (`.venv-test/` at the
/// repository root, or `$SWITCHBOARD_PYTHON`). Without it the test fails and says how to make it;
/// set `SWITCHBOARD_SKIP_PYTHON=1` to skip it deliberately.
@Suite("The openai Python client against switchboard serve", .enabled(if: ProcessInfo.processInfo.environment["SWITCHBOARD_SKIP_PYTHON"] != "1"))
struct GatewayPythonClientTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var python: String {
        ProcessInfo.processInfo.environment["SWITCHBOARD_PYTHON"] ?? repository.appendingPathComponent(".venv-test/bin/python").path
    }

    @Test func theOfficialClientGetsAnswersStreamsCacheHitsAndTypedErrors() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no Python environment at \(Self.python); run `bash scripts/python-venv.sh` first (or set SWITCHBOARD_SKIP_PYTHON=1)")
            return
        }
        let script = Self.repository.appendingPathComponent("Tests/SwitchboardEndToEndTests/python/openai_client_test.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [script, SwitchboardBinary.url.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(180)
        let reader = Reader(output.fileHandleForReading)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("the Python client test did not finish within 180 s")
        }
        process.waitUntilExit()
        let text = reader.wait()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("all checks passed"), "\(text)")
    }

    private final class Reader: @unchecked Sendable {
        private var data = Data()
        private let group = DispatchGroup()

        init(_ handle: FileHandle) {
            group.enter()
            DispatchQueue.global().async {
                self.data = handle.readDataToEndOfFile()
                self.group.leave()
            }
        }

        func wait() -> String {
            group.wait()
            return String(decoding: data, as: UTF8.self)
        }
    }
}
