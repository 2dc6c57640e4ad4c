import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// A `switchboard serve` process left running while a test talks to it over HTTP.
///
/// Its output is drained on Dispatch threads (never a thread of Swift's cooperative pool); the
/// gateway's address comes from the line `switchboard gateway listening on URL` it prints.
final class FleetReplica: Sendable {
    let baseURL: URL
    private let process: ProcessHandle
    private let errors: LogBuffer

    private init(baseURL: URL, process: ProcessHandle, errors: LogBuffer) {
        self.baseURL = baseURL
        self.process = process
        self.errors = errors
    }

    /// What the process wrote to standard error so far (its log), for failure messages.
    var log: String { errors.text.withLock { $0 } }

    /// Starts `switchboard serve` with `arguments` plus `--listen 127.0.0.1:0`, and returns once
    /// it listens.
    static func serve(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> FleetReplica {
        let process = Process()
        process.executableURL = SwitchboardBinary.url
        process.arguments = ["serve", "--listen", "127.0.0.1:0"] + arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let handle = ProcessHandle(process)
        let errors = LogBuffer()
        try process.run()
        DispatchQueue.global().async {
            let reader = stderr.fileHandleForReading
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                errors.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
        }
        let address: URL? = await withCheckedContinuation { continuation in
            let once = Once(continuation)
            DispatchQueue.global().async {
                let reader = stdout.fileHandleForReading
                var text = ""
                while true {
                    let data = reader.availableData
                    if data.isEmpty { break }
                    text += String(decoding: data, as: UTF8.self)
                    if let range = text.range(of: "listening on "), let end = text[range.upperBound...].firstIndex(of: "\n") {
                        once.resume(URL(string: String(text[range.upperBound..<end])))
                    }
                }
                once.resume(nil)
            }
            Task {
                try? await Task.sleep(for: timeout)
                once.resume(nil)
            }
        }
        guard let address else {
            handle.terminate()
            throw SwitchboardProcessError(message: "switchboard serve \(arguments.joined(separator: " ")) did not start listening: \(errors.text.withLock { $0 })")
        }
        return FleetReplica(baseURL: address, process: handle, errors: errors)
    }

    /// Sends SIGTERM (a graceful stop) if it is still running.
    func stop() {
        process.terminate()
    }

    /// Sends one request and returns the status, headers and body.
    func request(_ method: String, _ path: String, json: String? = nil, headers: [String: String] = [:]) async throws -> HTTPReply {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = method
        request.timeoutInterval = 30
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
        return HTTPReply(status: http.statusCode, headers: fields, body: String(decoding: data, as: UTF8.self))
    }

    /// A chat completion for `prompt` (plain text, no quotes).
    func chat(_ prompt: String, model: String = "auto") async throws -> HTTPReply {
        let body = #"{"model": "\#(model)", "messages": [{"role": "user", "content": "\#(prompt)"}]}"#
        return try await request("POST", "v1/chat/completions", json: body)
    }

    struct HTTPReply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
    }
}

struct SwitchboardProcessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

private final class ProcessHandle: @unchecked Sendable {
    private let process: Process
    init(_ process: Process) { self.process = process }
    func terminate() {
        if process.isRunning { process.terminate() }
    }
    deinit { terminate() }
}

private final class LogBuffer: Sendable {
    let text = Mutex("")
}

/// Resumes a continuation at most once, whichever of its racers comes first.
private final class Once<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, Never>?>
    init(_ continuation: CheckedContinuation<Value, Never>) { self.continuation = Mutex(continuation) }
    func resume(_ value: Value) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
