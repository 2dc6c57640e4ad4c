/// Why a tenant's request was refused, and when to try again.
public struct TenantRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The limit that refused it.
    public enum Limit: String, Sendable, Hashable, Codable {
        case blocked
        case concurrency = "max_concurrent"
        case requests = "requests_per_minute"
        case tokens = "tokens_per_minute"
        case dailyBudget = "budget.daily_usd"
        case monthlyBudget = "budget.monthly_usd"
    }

    /// The tenant.
    public var tenant: String
    /// Which limit.
    public var limit: Limit
    /// Seconds until a retry can succeed (the limit resets enough); `Retry-After` rounds it up.
    public var retryAfterSeconds: Double
    /// Where the tenant stood, for the `x-ratelimit-*` headers of the refusal.
    public var status: TenantLimitStatus
    /// What happened and what to do, for the caller.
    public var message: String
    /// Whether this replica is only waiting for its next lease of the fleet's per-minute limit:
    /// a lease is on its way, so the refusal may clear within milliseconds.
    public var awaitingLease = false

    /// Creates a refusal.
    public init(tenant: String, limit: Limit, retryAfterSeconds: Double, status: TenantLimitStatus, message: String) {
        self.tenant = tenant
        self.limit = limit
        self.retryAfterSeconds = retryAfterSeconds
        self.status = status
        self.message = message
    }

    /// `insufficient_quota` for a spent budget, `rate_limit_exceeded` for everything else
    /// (OpenAI's codes; its SDKs back off and retry on 429 either way).
    public var code: String {
        switch limit {
        case .dailyBudget, .monthlyBudget: "insufficient_quota"
        default: "rate_limit_exceeded"
        }
    }

    /// Whether a retry after ``retryAfterSeconds`` can succeed without an operator.
    public var isRetryable: Bool { limit != .blocked }

    public var description: String { message }
}
