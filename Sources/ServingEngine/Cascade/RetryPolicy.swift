/// How often, and after how long, a failed provider call is tried again.
///
/// Backoff is exponential from `baseBackoff`, capped at `maxBackoff`, with "equal jitter": the
/// wait is the nominal delay scaled by a factor drawn from `[1 - jitter, 1]`, which spreads
/// retries from many clients while keeping a floor. A provider's `Retry-After` is honoured as a
/// minimum. The policy is a pure function of its inputs; callers supply the random draw.
public struct RetryPolicy: Sendable, Hashable {
    /// Calls to one provider for one request, the first included (1 means no retries).
    public var maxAttemptsPerProvider: Int
    /// The nominal wait before the first retry.
    public var baseBackoff: Duration
    /// The longest nominal wait.
    public var maxBackoff: Duration
    /// The share of the nominal wait that is randomised, in [0, 1].
    public var jitter: Double
    /// The longest `Retry-After` worth waiting for; longer ones move on to the next provider.
    public var maxRetryAfter: Duration

    /// Creates a policy.
    public init(
        maxAttemptsPerProvider: Int = 2,
        baseBackoff: Duration = .milliseconds(50),
        maxBackoff: Duration = .seconds(1),
        jitter: Double = 0.5,
        maxRetryAfter: Duration = .seconds(2)
    ) {
        self.maxAttemptsPerProvider = maxAttemptsPerProvider
        self.baseBackoff = baseBackoff
        self.maxBackoff = maxBackoff
        self.jitter = jitter
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before retry number `retry` (1 for the first retry).
    ///
    /// - Parameters:
    ///   - retry: which retry this is, from 1.
    ///   - retryAfter: the provider's `Retry-After`, if any; the wait is never shorter.
    ///   - random: a draw from [0, 1) that sets the jitter.
    /// - Returns: the wait, or `nil` when the provider asked for longer than `maxRetryAfter`.
    public func backoff(beforeRetry retry: Int, retryAfter: Duration? = nil, random: Double) -> Duration? {
        if let retryAfter, retryAfter > maxRetryAfter { return nil }
        let exponent = min(max(retry - 1, 0), 30)
        let nominal = min(baseBackoff * (1 << exponent), maxBackoff)
        let factor = 1 - jitter * min(max(random, 0), 1)
        let jittered = nominal * factor
        return max(jittered, retryAfter ?? .zero)
    }
}
