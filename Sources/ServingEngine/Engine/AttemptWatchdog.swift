import Synchronization

/// One timer for every provider attempt in flight, in place of a task and a sleep per attempt.
///
/// An attempt registers when it is first due to be checked and what checking it means; a single
/// task sleeps until the earliest moment any registered attempt is due, runs the checks that are
/// due, and sleeps again until the next. The task ends when nothing is registered and starts again
/// with the next registration, so an idle engine has no timer at all.
///
/// A timer per attempt cost each request a task of its own and, since `Task.sleep` is Dispatch's
/// timer even when tasks run on SwiftNIO's event loops, a wake-up of Dispatch's timer thread to
/// arm it and another when it fired, long after the answer, to do nothing.
///
/// ```swift
/// let watch = watchdog.watch(due: .now + timeout) { now in
///     if progress.isOverdue(at: now) { giveUp(); return nil }
///     return progress.nextCheck
/// }
/// let outcome = await attempt()
/// watchdog.stop(watch)
/// ```
final class AttemptWatchdog: Sendable {
    /// Checks an attempt at `now`: gives up on it if it is overdue, and returns when to check
    /// it next (nil: never again).
    typealias Check = @Sendable (_ now: ContinuousClock.Instant) -> ContinuousClock.Instant?

    /// A registered attempt, to ``stop(_:)`` watching when it ends.
    struct Watch: Sendable {
        fileprivate let id: UInt64
    }

    private struct Watched {
        var due: ContinuousClock.Instant
        var check: Check
    }

    private struct State {
        var watched: [UInt64: Watched] = [:]
        var nextID: UInt64 = 0
        /// When the running timer task wakes next; nil when none runs.
        var wake: ContinuousClock.Instant?
        /// Which timer task is the current one: a task that finds another number ends.
        var generation: UInt64 = 0
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    /// Watches an attempt: `check` runs once `due` has passed, and again at each instant it returns.
    func watch(due: ContinuousClock.Instant, _ check: @escaping Check) -> Watch {
        let (id, start): (UInt64, (generation: UInt64, replaced: Task<Void, Never>?)?) = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.watched[id] = Watched(due: due, check: check)
            // A timer that wakes by then sees this attempt in time; otherwise one is started for it.
            if let wake = state.wake, wake <= due { return (id, nil) }
            state.generation += 1
            state.wake = due
            return (id, (state.generation, state.timer))
        }
        if let start {
            start.replaced?.cancel()
            startTimer(generation: start.generation, wake: due)
        }
        return Watch(id: id)
    }

    /// Stops watching an attempt (it ended); its check does not run again.
    func stop(_ watch: Watch) {
        state.withLock { _ = $0.watched.removeValue(forKey: watch.id) }
    }

    /// How many attempts are watched now.
    var watchedCount: Int { state.withLock { $0.watched.count } }

    /// Whether a timer task is running (false once nothing is watched and its last wake passed).
    var isTimerRunning: Bool { state.withLock { $0.wake != nil } }

    private func startTimer(generation: UInt64, wake: ContinuousClock.Instant) {
        let task = Task { [weak self] in
            var wake = wake
            while true {
                do {
                    try await Task.sleep(until: wake, clock: .continuous)
                } catch {
                    return  // replaced by a timer that wakes earlier
                }
                guard let self, let next = self.runDueChecks(generation: generation) else { return }
                wake = next
            }
        }
        state.withLock { state in
            if state.generation == generation { state.timer = task }
        }
    }

    /// Runs the checks that are due and returns when the timer wakes next, or nil when it ends
    /// (nothing left to watch, or another timer took over).
    private func runDueChecks(generation: UInt64) -> ContinuousClock.Instant? {
        let now = ContinuousClock.now
        let due: [(UInt64, Check)] = state.withLock { state in
            state.watched.compactMap { id, watched in watched.due <= now ? (id, watched.check) : nil }
        }
        // Outside the lock: a check may settle its attempt, which resumes the attempt's caller.
        let rescheduled = due.map { id, check in (id, check(now)) }
        return state.withLock { state -> ContinuousClock.Instant? in
            for (id, next) in rescheduled {
                if let next { state.watched[id]?.due = next } else { state.watched[id] = nil }
            }
            guard state.generation == generation else { return nil }
            guard let earliest = state.watched.values.lazy.map(\.due).min() else {
                state.wake = nil
                state.timer = nil
                return nil
            }
            state.wake = earliest
            return earliest
        }
    }
}
