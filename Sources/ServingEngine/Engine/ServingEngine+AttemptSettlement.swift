import Synchronization

extension ServingEngine {
    /// The one outcome of a provider attempt, settled by whichever comes first (the provider's
    /// answer, its watchdog, the caller's cancellation) and awaited by the attempt; later
    /// settlements are ignored.
    final class AttemptSettlement: Sendable {
        private enum State {
            case open
            case awaited(CheckedContinuation<AttemptResult, Never>)
            case settled(AttemptResult)
            case delivered
        }
        private let state = Mutex(State.open)

        /// Settles the attempt with `result` unless it was settled already.
        func settle(_ result: AttemptResult) {
            let waiting: CheckedContinuation<AttemptResult, Never>? = state.withLock { state in
                switch state {
                case .open:
                    state = .settled(result)
                    return nil
                case .awaited(let continuation):
                    state = .delivered
                    return continuation
                case .settled, .delivered:
                    return nil
                }
            }
            waiting?.resume(returning: result)
        }

        /// Waits for the attempt's outcome; called once.
        func outcome() async -> AttemptResult {
            await withCheckedContinuation { continuation in
                let settled: AttemptResult? = state.withLock { state in
                    switch state {
                    case .open:
                        state = .awaited(continuation)
                        return nil
                    case .settled(let result):
                        state = .delivered
                        return result
                    case .awaited, .delivered:
                        preconditionFailure("an attempt's outcome is awaited once")
                    }
                }
                if let settled { continuation.resume(returning: settled) }
            }
        }
    }
}
