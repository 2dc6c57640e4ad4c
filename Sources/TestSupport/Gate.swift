import Synchronization

/// A gate that tests hold work at: ``passed()`` returns once the gate is open, at once if it is
/// open already, and ignores cancellation while it waits — as a client library stuck in I/O
/// would. Opening it lets every waiter, and every later one, through.
///
/// A closed gate is slower than any timeout, so a test can say "slower than the budget" without
/// racing a clock.
package final class Gate: Sendable {
    private struct State {
        var isOpen: Bool
        var waiting: [CheckedContinuation<Void, Never>] = []
        var arrivals = 0
    }

    private let state: Mutex<State>

    /// A gate, closed unless `open`.
    package init(open: Bool = false) {
        state = Mutex(State(isOpen: open))
    }

    /// Whether the gate has been opened.
    package var isOpen: Bool { state.withLock { $0.isOpen } }

    /// How many callers have reached ``passed()`` so far, whether they waited or not.
    package var arrivals: Int { state.withLock { $0.arrivals } }

    /// How many callers are waiting at the gate now.
    package var waiting: Int { state.withLock { $0.waiting.count } }

    /// Opens the gate.
    package func open() {
        let waiting = state.withLock { state in
            state.isOpen = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for waiter in waiting { waiter.resume() }
    }

    /// Returns once the gate is open; cancelling the caller does not end the wait.
    package func passed() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isOpen = state.withLock { state in
                state.arrivals += 1
                if !state.isOpen { state.waiting.append(continuation) }
                return state.isOpen
            }
            if isOpen { continuation.resume() }
        }
    }
}
