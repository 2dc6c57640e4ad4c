import Foundation

/// Runs the real `switchboard` executable that SwiftPM built beside the test bundle.
enum SwitchboardBinary {
    struct Output {
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

    /// Runs the binary with `arguments`, killing it after `timeout`, and returns what it printed.
    static func run(_ arguments: [String], timeout: Duration = .seconds(120), environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        // Drain both pipes concurrently so a chatty child never blocks on a full pipe.
        let outData = Box(), errData = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData.data = stdout.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData.data = stderr.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        group.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, standardOutput: String(decoding: outData.data, as: UTF8.self), standardError: String(decoding: errData.data, as: UTF8.self))
    }

    private final class Box: @unchecked Sendable {
        var data = Data()
    }
}
