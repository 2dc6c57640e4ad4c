import Testing
@testable import ServingEngine

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    let t0 = ContinuousClock.now
    let policy = CircuitBreaker.Policy(failureThreshold: 3, window: .seconds(10), coolDown: .seconds(5), maxCoolDown: .seconds(20), halfOpenProbes: 1)

    @Test func staysClosedBelowTheThreshold() {
        var breaker = CircuitBreaker(policy: policy)
        #expect(breaker.recordFailure(.timeout, now: t0) == nil)
        #expect(breaker.recordFailure(.timeout, now: t0 + .seconds(1)) == nil)
        #expect(breaker.admit(now: t0 + .seconds(2)) == .allow)
        #expect(breaker.state == .closed)
    }

    @Test func opensAfterThresholdFailuresWithinTheWindowAndSaysWhy() {
        var breaker = CircuitBreaker(policy: policy)
        _ = breaker.recordFailure(.timeout, now: t0)
        _ = breaker.recordFailure(.serverError, now: t0 + .seconds(1))
        let transition = breaker.recordFailure(.timeout, now: t0 + .seconds(2))
        guard case .opened(let reason)? = transition else {
            Issue.record("expected the breaker to open, got \(String(describing: transition))")
            return
        }
        #expect(reason == "3 failures in 10 s: 2× timeout, 1× server_error")
        #expect(breaker.state == .open(nextProbe: t0 + .seconds(7)))
        #expect(breaker.admit(now: t0 + .seconds(3)) == .reject(nextProbe: t0 + .seconds(7)))
        #expect(breaker.openCount == 1)
    }

    @Test func failuresOlderThanTheWindowDoNotCount() {
        var breaker = CircuitBreaker(policy: policy)
        _ = breaker.recordFailure(.timeout, now: t0)
        _ = breaker.recordFailure(.timeout, now: t0 + .seconds(1))
        #expect(breaker.recordFailure(.timeout, now: t0 + .seconds(12)) == nil)
        #expect(breaker.state == .closed)
    }

    @Test func halfOpensAfterTheCoolDownAndLetsOnlyTheConfiguredProbesThrough() {
        var breaker = openedBreaker()
        #expect(breaker.admit(now: t0 + .seconds(7)) == .probe)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.admit(now: t0 + .seconds(7)) == .reject(nextProbe: nil))
    }

    @Test func aSuccessfulProbeClosesTheCircuit() {
        var breaker = openedBreaker()
        _ = breaker.admit(now: t0 + .seconds(7))
        #expect(breaker.recordSuccess(now: t0 + .seconds(8)) == .closed)
        #expect(breaker.state == .closed)
        #expect(breaker.reason == nil)
        #expect(breaker.admit(now: t0 + .seconds(8)) == .allow)
    }

    @Test func aFailedProbeReopensWithADoubledCoolDownUpToTheCap() {
        var breaker = openedBreaker()
        _ = breaker.admit(now: t0 + .seconds(7))
        _ = breaker.recordFailure(.connection, now: t0 + .seconds(7))
        #expect(breaker.state == .open(nextProbe: t0 + .seconds(17)))
        _ = breaker.admit(now: t0 + .seconds(17))
        _ = breaker.recordFailure(.connection, now: t0 + .seconds(17))
        #expect(breaker.state == .open(nextProbe: t0 + .seconds(37)))
        _ = breaker.admit(now: t0 + .seconds(37))
        _ = breaker.recordFailure(.connection, now: t0 + .seconds(37))
        #expect(breaker.state == .open(nextProbe: t0 + .seconds(57)), "cool-down is capped at 20 s")
        #expect(breaker.openCount == 4)
    }

    @Test func anAbandonedProbeFreesItsSlot() {
        var breaker = openedBreaker()
        #expect(breaker.admit(now: t0 + .seconds(7)) == .probe)
        breaker.abandonProbe()
        #expect(breaker.admit(now: t0 + .seconds(7)) == .probe)
    }

    private func openedBreaker() -> CircuitBreaker {
        var breaker = CircuitBreaker(policy: policy)
        for second in 0..<3 { _ = breaker.recordFailure(.timeout, now: t0 + .seconds(second)) }
        return breaker
    }
}
