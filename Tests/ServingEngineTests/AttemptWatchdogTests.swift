@testable import ServingEngine
import Synchronization
import Testing

/// The engine's one timer for every provider attempt in flight: each check runs once it is due,
/// an attempt due sooner than the timer's next wake is not made to wait for it, stopped attempts
/// are never checked, and the timer ends when nothing is watched.
@Suite("Attempt watchdog")
struct AttemptWatchdogTests {
    /// The instants at which each watched attempt was checked, by name.
    final class CheckLog: Sendable {
        private let checks = Mutex<[(String, ContinuousClock.Instant)]>([])

        func record(_ name: String, _ now: ContinuousClock.Instant) {
            checks.withLock { $0.append((name, now)) }
        }

        /// A check that records `name` and asks for no other.
        func once(_ name: String) -> AttemptWatchdog.Check {
            { now in
                self.record(name, now)
                return nil
            }
        }

        func times(of name: String) -> [ContinuousClock.Instant] {
            checks.withLock { $0.filter { $0.0 == name }.map(\.1) }
        }

        /// Waits (up to `limit`) until `name` was checked `count` times.
        func wait(for name: String, count: Int = 1, limit: Duration = .seconds(10)) async throws {
            let end = ContinuousClock.now + limit
            while times(of: name).count < count, ContinuousClock.now < end {
                try await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    /// Waits (up to ten seconds) until the watchdog's timer has ended.
    func waitForTheTimerToEnd(_ watchdog: AttemptWatchdog) async throws {
        let end = ContinuousClock.now + .seconds(10)
        while watchdog.isTimerRunning, ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(2)) }
    }

    @Test func aCheckRunsOnceItsDueTimeHasPassedAndTheTimerThenEnds() async throws {
        let watchdog = AttemptWatchdog(), log = CheckLog()
        let due = ContinuousClock.now + .milliseconds(20)
        _ = watchdog.watch(due: due, log.once("a"))
        #expect(watchdog.isTimerRunning)
        try await log.wait(for: "a")
        let checked = try #require(log.times(of: "a").first)
        #expect(checked >= due)
        try await waitForTheTimerToEnd(watchdog)
        #expect(!watchdog.isTimerRunning)
        #expect(watchdog.watchedCount == 0)
    }

    @Test func anAttemptDueSoonerThanTheTimersWakeIsCheckedWithoutWaitingForIt() async throws {
        let watchdog = AttemptWatchdog(), log = CheckLog()
        let late = watchdog.watch(due: .now + .seconds(600), log.once("late"))
        let due = ContinuousClock.now + .milliseconds(20)
        _ = watchdog.watch(due: due, log.once("soon"))
        try await log.wait(for: "soon")
        #expect(log.times(of: "soon").count == 1)
        #expect(log.times(of: "late").isEmpty)
        #expect(watchdog.watchedCount == 1)
        watchdog.stop(late)
        #expect(watchdog.watchedCount == 0)
    }

    @Test func aStoppedAttemptIsNeverChecked() async throws {
        let watchdog = AttemptWatchdog(), log = CheckLog()
        let stopped = watchdog.watch(due: .now + .milliseconds(10), log.once("stopped"))
        watchdog.stop(stopped)
        _ = watchdog.watch(due: .now + .milliseconds(40), log.once("kept"))
        try await log.wait(for: "kept")
        #expect(log.times(of: "kept").count == 1)
        #expect(log.times(of: "stopped").isEmpty)
    }

    @Test func aCheckRunsAgainAtTheInstantItReturns() async throws {
        let watchdog = AttemptWatchdog(), log = CheckLog()
        let rounds = Mutex(0)
        _ = watchdog.watch(due: .now + .milliseconds(5)) { now in
            log.record("a", now)
            let round = rounds.withLock { rounds in
                rounds += 1
                return rounds
            }
            return round < 3 ? now + .milliseconds(15) : nil
        }
        try await log.wait(for: "a", count: 3)
        let times = log.times(of: "a")
        #expect(times.count == 3)
        for (earlier, later) in zip(times, times.dropFirst()) { #expect(later - earlier >= .milliseconds(15)) }
        try await waitForTheTimerToEnd(watchdog)
        #expect(watchdog.watchedCount == 0)
    }
}
