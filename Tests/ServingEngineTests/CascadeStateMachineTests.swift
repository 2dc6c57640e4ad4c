import Testing
@testable import ServingEngine

@Suite("Cascade state machine")
struct CascadeStateMachineTests {
    let t0 = ContinuousClock.now
    let policy = RetryPolicy(maxAttemptsPerProvider: 2, baseBackoff: .milliseconds(100), maxBackoff: .seconds(1), jitter: 0, maxRetryAfter: .seconds(2))

    func machine(_ chain: [String], deadline: Duration = .seconds(30)) -> CascadeStateMachine {
        CascadeStateMachine(chain: chain, policy: policy, deadline: t0 + deadline) { _ in .seconds(5) }
    }

    let allowAll: (String) -> CascadeStateMachine.Admission = { _ in .allowed }

    @Test func retriesARetryableFailureWithBackoffThenFallsToTheNextProvider() {
        var cascade = machine(["a", "b"])
        #expect(cascade.next(now: t0, admit: allowAll) == .attempt(provider: "a", attempt: 1, timeout: .seconds(5), isProbe: false))
        cascade.attemptFailed(ProviderFailure(.serverError, "503"), latency: .milliseconds(10), now: t0, random: 0)
        #expect(cascade.next(now: t0, admit: allowAll) == .wait(.milliseconds(100)))
        #expect(cascade.next(now: t0, admit: allowAll) == .attempt(provider: "a", attempt: 2, timeout: .seconds(5), isProbe: false))
        cascade.attemptFailed(ProviderFailure(.timeout, "slow"), latency: .seconds(5), now: t0 + .seconds(5), random: 0)
        #expect(cascade.next(now: t0 + .seconds(5), admit: allowAll) == .attempt(provider: "b", attempt: 1, timeout: .seconds(5), isProbe: false))
        cascade.attemptSucceeded(latency: .milliseconds(20))
        #expect(cascade.trail.map(\.provider) == ["a", "a", "b"])
    }

    @Test func skipsForcedDownAndOpenProvidersAndRecordsWhy() {
        var cascade = machine(["a", "b", "c"])
        let action = cascade.next(now: t0) { name in
            switch name {
            case "a": .skipped(.forcedDown)
            case "b": .skipped(.circuitOpen(probeIn: .seconds(3)))
            default: .allowed
            }
        }
        #expect(action == .attempt(provider: "c", attempt: 1, timeout: .seconds(5), isProbe: false))
        #expect(cascade.trail.map(\.summary) == ["a skipped: forced down", "b skipped: circuit open, next probe in 3 s"])
    }

    @Test func aProviderThatRejectsUsIsNotRetriedButTheNextOneIsTried() {
        var cascade = machine(["a", "b"])
        _ = cascade.next(now: t0, admit: allowAll)
        cascade.attemptFailed(ProviderFailure(.providerRejected, "401"), latency: .zero, now: t0, random: 0)
        #expect(cascade.next(now: t0, admit: allowAll) == .attempt(provider: "b", attempt: 1, timeout: .seconds(5), isProbe: false))
    }

    @Test func aRequestEveryProviderWouldRefuseEndsTheCascade() {
        var cascade = machine(["a", "b"])
        _ = cascade.next(now: t0, admit: allowAll)
        let failure = ProviderFailure(.requestRejected, "400 context too long")
        cascade.attemptFailed(failure, latency: .zero, now: t0, random: 0)
        #expect(cascade.next(now: t0, admit: allowAll) == .exhausted(.requestRejected(failure)))
    }

    @Test func reportsExhaustionWhenEveryProviderFailed() {
        var cascade = machine(["a"])
        _ = cascade.next(now: t0, admit: allowAll)
        cascade.attemptFailed(ProviderFailure(.connection, "refused"), latency: .zero, now: t0, random: 0)
        _ = cascade.next(now: t0, admit: allowAll)
        _ = cascade.next(now: t0, admit: allowAll)
        cascade.attemptFailed(ProviderFailure(.connection, "refused"), latency: .zero, now: t0, random: 0)
        #expect(cascade.next(now: t0, admit: allowAll) == .exhausted(.allProvidersFailed))
        #expect(cascade.trail.count == 2)
    }

    @Test func doesNotWaitPastTheDeadlineAndCapsTheAttemptTimeoutByIt() {
        var cascade = machine(["a", "b"], deadline: .seconds(1))
        #expect(cascade.next(now: t0 + .milliseconds(900), admit: allowAll) == .attempt(provider: "a", attempt: 1, timeout: .milliseconds(100), isProbe: false))
        cascade.attemptFailed(ProviderFailure(.serverError, "503", retryAfter: .milliseconds(500)), latency: .zero, now: t0 + .milliseconds(950), random: 0)
        // The retry-after would end past the deadline, so b is tried at once instead.
        #expect(cascade.next(now: t0 + .milliseconds(950), admit: allowAll) == .attempt(provider: "b", attempt: 1, timeout: .milliseconds(50), isProbe: false))
        cascade.attemptFailed(ProviderFailure(.timeout, "slow"), latency: .zero, now: t0 + .seconds(1), random: 0)
        #expect(cascade.next(now: t0 + .seconds(1), admit: allowAll) == .exhausted(.deadlineExceeded))
    }

    @Test func passesHalfOpenProbesOnAsProbes() {
        var cascade = machine(["a"])
        #expect(cascade.next(now: t0) { _ in .probe } == .attempt(provider: "a", attempt: 1, timeout: .seconds(5), isProbe: true))
    }
}
