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

    /// Runs one of the Python clients against the built binary and expects its every check to pass.
    func runClient(_ name: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no Python environment at \(Self.python); run `bash scripts/python-venv.sh` first (or set SWITCHBOARD_SKIP_PYTHON=1)")
            return
        }
        let script = Self.repository.appendingPathComponent("Tests/SwitchboardEndToEndTests/python/\(name)").path
        let output = try await SwitchboardBinary.run(executable: URL(fileURLWithPath: Self.python), [script, SwitchboardBinary.url.path], timeout: .seconds(180))
        let text = output.standardOutput + output.standardError
        #expect(output.status == 0, "\(text)")
        #expect(text.contains("all checks passed"), "\(text)")
    }

    @Test func theOfficialClientGetsAnswersStreamsCacheHitsAndTypedErrors() async throws {
        try await runClient("openai_client_test.py")
    }

    @Test func theOfficialClientsToolsFormatsImagesEmbeddingsAndResponsesSurviveTheTrip() async throws {
        try await runClient("proxy_fidelity_test.py")
    }
}
