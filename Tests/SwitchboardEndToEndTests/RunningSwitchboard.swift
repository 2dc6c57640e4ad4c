import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `switchboard serve` process kept running while a test talks to it over HTTP; its standard
/// output and error go to files the test can read (and search) afterwards.
///
/// Nothing blocks a thread of Swift's cooperative pool: the start is awaited by polling the output
/// file, the exit through the process's termination handler.
final class RunningSwitchboard: @unchecked Sendable {
    let process = Process()
    let standardOutput: URL
    let standardError: URL
    private(set) var baseURL = ""
    private let exit: AsyncStream<Int32>
    private let exitContinuation: AsyncStream<Int32>.Continuation

    /// Starts `switchboard` with `arguments` (which should include `--listen 127.0.0.1:0`) and
    /// waits until it says where it listens.
    init(_ arguments: [String], environment: [String: String], directory: URL, name: String) async throws {
        standardOutput = directory.appendingPathComponent("\(name).stdout")
        standardError = directory.appendingPathComponent("\(name).stderr")
        _ = FileManager.default.createFile(atPath: standardOutput.path, contents: nil)
        _ = FileManager.default.createFile(atPath: standardError.path, contents: nil)
        (exit, exitContinuation) = AsyncStream.makeStream(of: Int32.self)
        process.executableURL = SwitchboardBinary.url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: standardOutput)
        process.standardError = try FileHandle(forWritingTo: standardError)
        process.standardInput = FileHandle.nullDevice
        let continuation = exitContinuation
        process.terminationHandler = { finished in
            continuation.yield(finished.terminationStatus)
            continuation.finish()
        }
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: standardOutput, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on ") {
                baseURL = String(text[range.upperBound...].prefix { !$0.isWhitespace })
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { process.terminate() }
        throw StartFailure(output: (try? String(contentsOf: standardError, encoding: .utf8)) ?? "")
    }

    struct StartFailure: Error, CustomStringConvertible {
        var output: String
        var description: String { "switchboard serve did not start listening: \(output)" }
    }

    /// Sends SIGTERM and waits (up to 20 s, then SIGKILL) for the exit status.
    func stop() async -> Int32 {
        if process.isRunning { process.terminate() }
        let pid = process.processIdentifier
        let killer = Task {
            try await Task.sleep(for: .seconds(20))
            kill(pid, SIGKILL)
        }
        defer { killer.cancel() }
        for await status in exit { return status }
        return process.terminationStatus
    }

    /// Everything the process printed so far.
    var output: String {
        ((try? String(contentsOf: standardOutput, encoding: .utf8)) ?? "") + ((try? String(contentsOf: standardError, encoding: .utf8)) ?? "")
    }

    /// An HTTP exchange with the gateway: status, headers and body as text.
    func send(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> (status: Int, text: String) {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.timeoutInterval = 30
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "content-type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        let headerText = (http?.allHeaderFields ?? [:]).map { "\($0.key): \($0.value)" }.joined(separator: "\n")
        return (http?.statusCode ?? 0, headerText + "\n\n" + String(decoding: data, as: UTF8.self))
    }
}
