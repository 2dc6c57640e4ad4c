import Foundation
import Testing

/// A real model (SmolLM2-135M on llama-cpp-python's OpenAI-compatible server) answering through
/// `switchboard serve`. Optional: it runs when `.venv-model/` exists (made by
/// `scripts/real-model-venv.sh`, ~11 minutes the first time) or `$SWITCHBOARD_MODEL_PYTHON` is set.
@Suite("A real model through switchboard serve", .enabled(if: RealModelEnvironment.isAvailable))
struct GatewayRealModelTests {

    @Test func smolLM2AnswersARealPromptThroughTheGateway() async throws {
        let script = RealModelEnvironment.repository.appendingPathComponent("Tests/SwitchboardEndToEndTests/python/real_model_test.py").path
        let output = try await SwitchboardBinary.run(executable: URL(fileURLWithPath: RealModelEnvironment.python), [script, SwitchboardBinary.url.path], timeout: .seconds(300))
        let text = output.standardOutput + output.standardError
        #expect(output.status == 0, "\(text)")
        #expect(text.contains("all checks passed"), "\(text)")
    }
}

/// Where the real-model environment is.
enum RealModelEnvironment {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var python: String {
        ProcessInfo.processInfo.environment["SWITCHBOARD_MODEL_PYTHON"] ?? repository.appendingPathComponent(".venv-model/bin/python").path
    }

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: python) }
}
