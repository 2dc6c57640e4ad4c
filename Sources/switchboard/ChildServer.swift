import Foundation

/// A `switchboard serve` started by a benchmark as a child process (this very binary), with the
/// built-in demo configuration and its simulated traffic, on a free loopback port.
struct ChildServer: Sendable {
    /// The server's base URL, `http://127.0.0.1:PORT`.
    let url: String
    /// Its process id.
    let pid: Int32
    private let process: ProcessBox

    /// A child that did not start.
    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// `Process` is not Sendable; the child is only started, read and stopped from one task at a
    /// time. The box also keeps the signal handlers that take the child down with the benchmark.
    private final class ProcessBox: @unchecked Sendable {
        let process = Process()
        var signalSources: [any DispatchSourceSignal] = []
    }

    /// Starts `switchboard serve --listen 127.0.0.1:0 --simulate-traffic RPS --log-level warning`
    /// and waits (up to 60 s) for the line that says where it listens.
    static func start(rps: Double) async throws -> ChildServer {
        guard let executable = DrillCommand.executable() else {
            throw StartFailure(description: "cannot find this binary to start `switchboard serve` from")
        }
        let box = ProcessBox()
        let process = box.process
        let output = Pipe()
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-bench-serve-\(ProcessInfo.processInfo.processIdentifier).stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--simulate-traffic", BenchDashboardCommand.number(rps), "--log-level", "warning"]
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = output.fileHandleForReading
        let found: String? = await withCheckedContinuation { continuation in
            // Reading a pipe blocks: a thread of its own, not the cooperative pool.
            Thread.detachNewThread {
                var text = ""
                while true {
                    let data = reader.availableData
                    if data.isEmpty { break }
                    text += String(decoding: data, as: UTF8.self)
                    if let range = text.range(of: "listening on "), text[range.upperBound...].contains("\n") {
                        continuation.resume(returning: String(text[range.upperBound...].prefix { !$0.isWhitespace }))
                        // Keep draining so the child never blocks on a full pipe.
                        while !reader.availableData.isEmpty {}
                        return
                    }
                }
                continuation.resume(returning: nil)
            }
        }
        guard let url = found else {
            process.waitUntilExit()
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw StartFailure(description: "`switchboard serve` exited with status \(process.terminationStatus) before listening: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        try? FileManager.default.removeItem(at: errors)
        // Ctrl-C, SIGTERM or SIGHUP to the benchmark stop the child too: a server left running
        // its simulated traffic would load the machine after the benchmark is gone.
        let pid = process.processIdentifier
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                kill(pid, SIGTERM)
                exit(128 + signalNumber)
            }
            source.resume()
            box.signalSources.append(source)
        }
        return ChildServer(url: url, pid: pid, process: box)
    }

    /// Sends SIGTERM and waits for the child to exit.
    func stop() async {
        for source in self.process.signalSources { source.cancel() }
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] { signal(signalNumber, SIG_DFL) }
        let process = self.process.process
        guard process.isRunning else { return }
        process.terminate()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }
}
