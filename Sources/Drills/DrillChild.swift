import Foundation
import ServingEngine
import Synchronization

/// A child `switchboard serve` the signal scenarios start, signal and wait for, without blocking
/// a thread of the cooperative pool: its pipes are read on Dispatch threads and its exit arrives
/// through the termination handler.
final class DrillChild: Sendable {
    private struct State {
        var standardOutput = ""
        var standardError = ""
        var listening: String?
        var status: Int32?
        var urlWaiters: [CheckedContinuation<String?, Never>] = []
        var exitWaiters: [CheckedContinuation<Int32, Never>] = []
    }
    /// Shared with the pipe readers and the termination handler, which run before `self` exists.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }
    /// Keeps the `Process` (not `Sendable`) alive; only `init` touches it.
    private final class ProcessBox: @unchecked Sendable {
        let process: Process
        init(_ process: Process) { self.process = process }
    }
    private let shared: Shared
    private let box: ProcessBox
    /// The child's process id.
    let pid: Int32

    /// Starts `executable arguments`.
    init(executable: String, arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        box = ProcessBox(process)
        let shared = Shared()
        self.shared = shared
        process.terminationHandler = { finished in
            let status = finished.terminationStatus
            let (urlWaiters, exitWaiters) = shared.state.withLock { state in
                state.status = status
                defer { state.urlWaiters = []; state.exitWaiters = [] }
                return (state.urlWaiters, state.exitWaiters)
            }
            for waiter in urlWaiters { waiter.resume(returning: nil) }
            for waiter in exitWaiters { waiter.resume(returning: status) }
        }
        try process.run()
        pid = process.processIdentifier
        Self.drain(output.fileHandleForReading) { text in
            let waiters: [CheckedContinuation<String?, Never>] = shared.state.withLock { state in
                state.standardOutput += text
                guard state.listening == nil, let range = state.standardOutput.range(of: "listening on ") else { return [] }
                let rest = state.standardOutput[range.upperBound...]
                guard let end = rest.firstIndex(of: "\n") else { return [] }
                state.listening = String(rest[..<end])
                defer { state.urlWaiters = [] }
                return state.urlWaiters
            }
            let url = shared.state.withLock { $0.listening }
            for waiter in waiters { waiter.resume(returning: url) }
        }
        Self.drain(errors.fileHandleForReading) { text in
            shared.state.withLock { $0.standardError += text }
        }
    }

    private static func drain(_ handle: FileHandle, _ take: @escaping @Sendable (String) -> Void) {
        DispatchQueue.global().async {
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                take(String(decoding: data, as: UTF8.self))
            }
        }
    }

    /// The gateway's URL once it listens, or nil if it exited (or `timeout` passed) first.
    func listeningURL(timeout: Duration) async -> String? {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            self?.giveUpWaitingForURL()
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let immediate: String?? = shared.state.withLock { state in
                if let url = state.listening { return .some(url) }
                if state.status != nil { return .some(nil) }
                state.urlWaiters.append(continuation)
                return .none
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    private func giveUpWaitingForURL() {
        let waiters = shared.state.withLock { state in
            defer { state.urlWaiters = [] }
            return state.urlWaiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// Sends `signal` (SIGTERM, SIGKILL…).
    func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the exit and returns the status (the signal number when killed by one).
    func exit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let immediate: Int32? = shared.state.withLock { state in
                if let status = state.status { return status }
                state.exitWaiters.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// What it wrote to standard error so far.
    var standardError: String { shared.state.withLock { $0.standardError } }
}
