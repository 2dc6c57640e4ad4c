import Foundation
import Testing

/// A real model (SmolLM2-135M on llama-cpp-python's OpenAI-compatible server) answering through
/// `switchboard serve`. Optional: it runs when `.venv-model/` exists (made by
/// `scripts/real-model-venv.sh`, ~11 minutes the first time) or `$SWITCHBOARD_MODEL_PYTHON` is set.
@Suite("A real model through switchboard serve", .enabled(if: RealModelEnvironment.isAvailable))
struct GatewayRealModelTests {

    @Test func smolLM2AnswersARealPromptThroughTheGateway() throws {
        let script = RealModelEnvironment.repository.appendingPathComponent("Tests/SwitchboardEndToEndTests/python/real_model_test.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RealModelEnvironment.python)
        process.arguments = [script, SwitchboardBinary.url.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        let collected = DataBox()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            collected.data = handle.readDataToEndOfFile()
            done.signal()
        }
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning, Date() < deadline { usleep(100_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("the real-model test did not finish within 300 s")
        }
        process.waitUntilExit()
        done.wait()
        let text = String(decoding: collected.data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("all checks passed"), "\(text)")
    }

    private final class DataBox: @unchecked Sendable {
        var data = Data()
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
