import Foundation

/// Runs the real `switchboard` executable that SwiftPM built beside the test bundle.
///
/// Waiting never blocks a thread of Swift's cooperative pool (it has one thread per core, and
/// the other tests need them): pipes are drained on Dispatch threads and the exit is awaited
/// through the process's termination handler.
enum SwitchboardBinary {
    struct Output: Sendable {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The executable: `$SWITCHBOARD_BINARY` if set, else `switchboard` next to the test bundle.
    static var url: URL {
        if let override = ProcessInfo.processInfo.environment["SWITCHBOARD_BINARY"] {
            return URL(fileURLWithPath: override)
        }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        // On macOS the bundle is a directory (…/x.xctest/Contents/MacOS/x); walk up to the build folder.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("switchboard").path), directory.pathComponents.count > 1 {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("switchboard")
    }

    /// Runs the binary with `arguments`, terminating it after `timeout`, and returns what it printed.
    static func run(_ arguments: [String], timeout: Duration = .seconds(120), environment: [String: String] = [:]) async throws -> Output {
        try await run(executable: url, arguments, timeout: timeout, environment: environment)
    }

    /// Runs any executable the same way (the Python clients use it).
    static func run(executable: URL, _ arguments: [String], timeout: Duration = .seconds(120), environment: [String: String] = [:]) async throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let box = ProcessBox(process)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            Task {
                try? await Task.sleep(for: timeout)
                box.terminateIfRunning()
            }
        }
        async let output = readToEnd(stdout.fileHandleForReading)
        async let errors = readToEnd(stderr.fileHandleForReading)
        return Output(status: status, standardOutput: String(decoding: await output, as: UTF8.self), standardError: String(decoding: await errors, as: UTF8.self))
    }

    private static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }

    private final class ProcessBox: @unchecked Sendable {
        private let process: Process
        init(_ process: Process) { self.process = process }
        func terminateIfRunning() {
            if process.isRunning { process.terminate() }
        }
    }
}
