import Foundation
import Synchronization

/// Progress of a long command on stderr, only when stderr is a terminal and the output is not
/// JSON: one line redrawn in place (what, how far, elapsed, an estimate of the time left), or
/// whole lines for steps the command reports as text. Elsewhere it says nothing, so logs and
/// pipes stay clean.
final class TerminalProgress: Sendable {
    private struct State {
        var stage = ""
        var stageStarted = ContinuousClock.now
        var lastDraw: ContinuousClock.Instant?
        var drawn = false
    }

    /// Whether anything is written.
    let enabled: Bool
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    /// Writes when stderr is a terminal and `quiet` (e.g. `--json`) is false.
    init(quiet: Bool) {
        enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    /// `stage` has `done` of `total` steps behind it; redrawn at most ten times a second.
    @Sendable func step(_ stage: String, _ done: Int, _ total: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            if state.stage != stage {
                state.stage = stage
                state.stageStarted = now
                state.lastDraw = nil
            }
            if let last = state.lastDraw, now - last < .milliseconds(100), done < total { return nil }
            state.lastDraw = now
            state.drawn = true
            let elapsed = (now - state.stageStarted).seconds
            let percent = total > 0 ? done * 100 / total : 0
            var text = "\(stage): \(done) of \(total) (\(percent)%) · \(Self.seconds((now - self.started).seconds)) elapsed"
            if done > 0, done < total, elapsed > 1 {
                text += " · about \(Self.seconds(elapsed * Double(total - done) / Double(done))) left"
            }
            return text
        }
        if let line { write("\r\u{1B}[K" + line) }
    }

    /// A whole line of progress (a command that reports its steps as text).
    @Sendable func note(_ line: String) {
        guard enabled else { return }
        state.withLock { $0.drawn = false }
        write("\r\u{1B}[K" + line + " · \(Self.seconds((ContinuousClock.now - started).seconds)) elapsed\n")
    }

    /// Clears the progress line before the command prints its result.
    func finish() {
        guard enabled else { return }
        let drawn = state.withLock { state in
            defer { state.drawn = false }
            return state.drawn
        }
        if drawn { write("\r\u{1B}[K") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func seconds(_ value: Double) -> String {
        value < 90 ? "\(Int(value.rounded())) s" : "\(Int((value / 60).rounded())) min"
    }
}
