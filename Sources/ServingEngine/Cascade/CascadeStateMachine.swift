/// Walks one request through a tier's chain of providers: a pure state machine, no clock or I/O.
///
/// The executor asks ``next(now:admit:)`` what to do, does it, and reports failures with
/// ``attemptFailed(_:now:random:)``. The machine decides when to retry the same provider (with
/// backoff, within the request's deadline), when to fall to the next one, and when to give up,
/// and it keeps the record of every provider it tried or skipped, which ends up in the
/// request's decision record and in the error a caller sees when everything failed.
package struct CascadeStateMachine: Sendable {
    /// What the executor should do next.
    package enum Action: Sendable, Hashable {
        /// Call `provider` (attempt number `attempt`, from 1) and give up on it after `timeout`.
        case attempt(provider: String, attempt: Int, timeout: Duration, isProbe: Bool)
        /// Wait this long, then ask again.
        case wait(Duration)
        /// Nothing is left to try.
        case exhausted(Exhaustion)
    }

    /// Why the cascade ended without an answer.
    package enum Exhaustion: Sendable, Hashable {
        /// Every provider failed or was skipped.
        case allProvidersFailed
        /// The request's deadline passed first.
        case deadlineExceeded
        /// A provider refused the request itself, so no other would accept it.
        case requestRejected(ProviderFailure)
    }

    /// How the cascade asked a provider's health.
    package enum Admission: Sendable, Hashable {
        /// Call it.
        case allowed
        /// Call it as a half-open probe.
        case probe
        /// Skip it, for this reason.
        case skipped(SkipReason)
    }

    private let chain: [String]
    private let policy: RetryPolicy
    private let deadline: ContinuousClock.Instant
    private let attemptTimeout: @Sendable (String) -> Duration

    private var index = 0
    private var attemptsOnCurrent = 0
    private var pendingWait: Duration?
    private var stopped: Exhaustion?
    /// Every provider tried or skipped, in order, with its outcome so far.
    package private(set) var trail: [ProviderAttempt] = []

    /// Creates a machine for one request.
    ///
    /// - Parameters:
    ///   - chain: provider names in priority order.
    ///   - policy: the retry policy.
    ///   - deadline: when the whole request must be answered.
    ///   - attemptTimeout: each provider's own timeout for one call.
    package init(
        chain: [String],
        policy: RetryPolicy,
        deadline: ContinuousClock.Instant,
        attemptTimeout: @escaping @Sendable (String) -> Duration
    ) {
        self.chain = chain
        self.policy = policy
        self.deadline = deadline
        self.attemptTimeout = attemptTimeout
    }

    /// The next thing to do. `admit` is asked once per call about to be made.
    package mutating func next(now: ContinuousClock.Instant, admit: (String) -> Admission) -> Action {
        if let stopped { return .exhausted(stopped) }
        if let wait = pendingWait {
            pendingWait = nil
            return .wait(wait)
        }
        while index < chain.count {
            guard now < deadline else { return finish(.deadlineExceeded) }
            let provider = chain[index]
            guard attemptsOnCurrent < policy.maxAttemptsPerProvider else {
                advance()
                continue
            }
            let admission = admit(provider)
            if case .skipped(let reason) = admission {
                trail.append(ProviderAttempt(provider: provider, attempt: attemptsOnCurrent + 1, outcome: .skipped(reason), latency: .zero))
                advance()
                continue
            }
            attemptsOnCurrent += 1
            let timeout = min(attemptTimeout(provider), deadline - now)
            return .attempt(provider: provider, attempt: attemptsOnCurrent, timeout: timeout, isProbe: admission == .probe)
        }
        return finish(now < deadline ? .allProvidersFailed : .deadlineExceeded)
    }

    /// Records that the current attempt succeeded.
    package mutating func attemptSucceeded(latency: Duration) {
        trail.append(ProviderAttempt(provider: chain[index], attempt: attemptsOnCurrent, outcome: .succeeded, latency: latency))
    }

    /// Records that the current attempt failed, and plans what follows.
    ///
    /// - Parameters:
    ///   - failure: what went wrong.
    ///   - latency: how long the attempt took.
    ///   - now: the time the failure was seen.
    ///   - random: a draw from [0, 1) for the backoff jitter.
    package mutating func attemptFailed(_ failure: ProviderFailure, latency: Duration, now: ContinuousClock.Instant, random: Double) {
        trail.append(ProviderAttempt(provider: chain[index], attempt: attemptsOnCurrent, outcome: .failed(failure), latency: latency))
        guard failure.allowsFallback else {
            stopped = .requestRejected(failure)
            return
        }
        guard failure.isRetryable, attemptsOnCurrent < policy.maxAttemptsPerProvider else {
            advance()
            return
        }
        guard let wait = policy.backoff(beforeRetry: attemptsOnCurrent, retryAfter: failure.retryAfter, random: random),
              now + wait < deadline
        else {
            advance()
            return
        }
        pendingWait = wait
    }

    private mutating func advance() {
        index += 1
        attemptsOnCurrent = 0
    }

    private mutating func finish(_ exhaustion: Exhaustion) -> Action {
        stopped = exhaustion
        return .exhausted(exhaustion)
    }
}
