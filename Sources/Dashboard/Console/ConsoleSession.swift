import Synchronization
import ServingEngine

/// Sends console prompts to the engine and collects the streamed answers.
///
/// Each prompt streams in its own task, which appends to a lock-protected transcript; the UI
/// thread reads a copy each frame. The engine never waits for the UI.
package final class ConsoleSession: Sendable {
    private let engine: any DashboardEngine
    private let transcript = Mutex(ConsoleTranscript())
    private let tasks = Mutex<[Int: Task<Void, Never>]>([:])

    /// Creates a session on `engine`.
    package init(engine: any DashboardEngine) {
        self.engine = engine
    }

    /// A copy of the transcript now.
    package func current() -> ConsoleTranscript {
        transcript.withLock { $0 }
    }

    /// Sends `prompt` and streams its answer into the transcript.
    @discardableResult
    package func submit(_ prompt: ConsolePrompt) -> Int {
        let number = transcript.withLock { $0.begin(prompt) }
        let engine = self.engine
        let task = Task { [weak self] in
            do {
                for try await event in engine.consoleStream(prompt.request) {
                    self?.apply(event, to: number)
                }
            } catch let error as EngineError {
                self?.transcript.withLock { $0.update(number) { $0.phase = .failed(error.message); $0.failedAttempts = error.attempts } }
            } catch {
                self?.transcript.withLock { $0.update(number) { $0.phase = .failed(String(describing: error)) } }
            }
            _ = self?.tasks.withLock { $0.removeValue(forKey: number) }
        }
        tasks.withLock { $0[number] = task }
        return number
    }

    /// Cancels every prompt still streaming.
    package func cancelAll() {
        let running = tasks.withLock { tasks in
            defer { tasks.removeAll() }
            return Array(tasks.values)
        }
        for task in running { task.cancel() }
    }

    private func apply(_ event: EngineStreamEvent, to number: Int) {
        transcript.withLock { transcript in
            transcript.update(number) { exchange in
                switch event {
                case .answering(let source):
                    exchange.source = source
                    exchange.phase = .streaming
                case .text(let chunk):
                    exchange.answer += chunk
                case .delta(let delta):
                    // The console shows the first choice's text; its other pieces have no place there.
                    if delta.index == 0, let chunk = delta.content { exchange.answer += chunk }
                case .responseFields:
                    break
                case .finished(let reason, _, let decision):
                    exchange.decision = decision
                    exchange.phase = .finished(reason)
                }
            }
        }
    }
}
