import Synchronization

/// The built-in traffic generator's state: its rate, its pause switch, whether a generator is
/// running and how many requests it has sent.
///
/// The engine keeps one, so that operator commands (``OperatorCommand/setTrafficRate(_:)``,
/// ``OperatorCommand/setTrafficPaused(_:)``) and snapshots reach it before a generator starts
/// and while one runs; a ``TrafficGenerator`` reads it before every arrival and counts what it
/// sends into it.
///
/// ```swift
/// let control = TrafficControl(rate: 20)
/// control.setRate(50)
/// print(control.status.rate) // 50.0
/// ```
package final class TrafficControl: Sendable {
    private let state: Mutex<TrafficStatus>

    /// Creates the state of a generator that is not running, at `rate` requests per second.
    package init(rate: Double) {
        state = Mutex(TrafficStatus(enabled: false, rate: rate, paused: false, sent: 0))
    }

    /// The state now, for snapshots and for the generator's next arrival.
    package var status: TrafficStatus { state.withLock { $0 } }

    /// Sets the target arrival rate, in requests per second.
    package func setRate(_ rate: Double) {
        state.withLock { $0.rate = rate }
    }

    /// Pauses or resumes sending.
    package func setPaused(_ paused: Bool) {
        state.withLock { $0.paused = paused }
    }

    /// Marks a generator as attached (running) or detached.
    package func setEnabled(_ enabled: Bool) {
        state.withLock { $0.enabled = enabled }
    }

    /// Counts `count` more requests sent.
    package func countSent(_ count: Int) {
        state.withLock { $0.sent += count }
    }
}
