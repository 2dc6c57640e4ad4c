/// Where a tenant's most-used budget stands.
public struct BudgetStanding: Sendable, Hashable, Codable {
    /// Spent plus reserved, as a share of the budget in percent (may pass 100).
    public var usedPercent: Double
    /// Which budget: ``TenantRefusal/Limit/dailyBudget`` or ``TenantRefusal/Limit/monthlyBudget``.
    public var limit: TenantRefusal.Limit
    /// Its size in dollars.
    public var budgetUSD: Double
    /// Spent in its period.
    public var spentUSD: Double
    /// Reserved by requests in flight.
    public var reservedUSD: Double
    /// Seconds until it resets (next UTC midnight, or the first of next month).
    public var resetSeconds: Double
    /// The step in force, if one has been reached.
    public var step: BudgetStep?

    /// Whether nothing priced may be spent any more.
    public var isSpent: Bool { usedPercent >= 100 }

    /// Creates a standing.
    public init(usedPercent: Double, limit: TenantRefusal.Limit, budgetUSD: Double, spentUSD: Double, reservedUSD: Double, resetSeconds: Double, step: BudgetStep?) {
        self.usedPercent = usedPercent
        self.limit = limit
        self.budgetUSD = budgetUSD
        self.spentUSD = spentUSD
        self.reservedUSD = reservedUSD
        self.resetSeconds = resetSeconds
        self.step = step
    }
}

/// What one tenant has done since start, for the dashboard and `/metrics`.
public struct TenantCounters: Sendable, Hashable, Codable {
    /// Requests admitted.
    public var admitted = 0
    /// Requests refused, by the limit that refused them.
    public var throttled: [TenantRefusal.Limit: Int] = [:]
    /// Admitted requests answered from the cache.
    public var cacheHits = 0
    /// Requests a budget step sent to a cheaper tier or to free providers only.
    public var steered = 0
    /// Tokens used (as providers reported them).
    public var tokens = 0
    /// Dollars spent since start.
    public var spentUSD = 0.0
    /// Requests admitted on this replica's own limits alone because the shared-state database
    /// could not be reached and the fleet fails open (`shared_state.on_unavailable: open`).
    public var failedOpen = 0
    /// Requests refused, or kept from priced providers, because the database could not be
    /// reached and the fleet fails closed.
    public var failedClosed = 0

    /// Every refusal together.
    public var throttledTotal: Int { throttled.values.reduce(0, +) }

    /// Creates counters at zero.
    public init() {}
}

/// One tenant as the dashboard, the admin API and `/metrics` see it.
public struct TenantSnapshot: Sendable, Hashable, Codable {
    public var name: String
    /// Whether the configuration or the operator set its limits (others are only counted).
    public var configured: Bool
    public var limits: TenantLimits
    public var status: TenantLimitStatus
    public var inFlight: Int
    public var requestsLastMinute: Int
    public var tokensLastMinute: Int
    public var spentTodayUSD: Double
    public var spentThisMonthUSD: Double
    public var reservedUSD: Double
    /// The most-used budget, if it has one.
    public var budget: BudgetStanding?
    public var counters: TenantCounters

    /// Creates a snapshot (the limiter makes them; tests and tools may build their own).
    public init(name: String, configured: Bool, limits: TenantLimits, status: TenantLimitStatus, inFlight: Int, requestsLastMinute: Int, tokensLastMinute: Int, spentTodayUSD: Double, spentThisMonthUSD: Double, reservedUSD: Double, budget: BudgetStanding?, counters: TenantCounters) {
        self.name = name
        self.configured = configured
        self.limits = limits
        self.status = status
        self.inFlight = inFlight
        self.requestsLastMinute = requestsLastMinute
        self.tokensLastMinute = tokensLastMinute
        self.spentTodayUSD = spentTodayUSD
        self.spentThisMonthUSD = spentThisMonthUSD
        self.reservedUSD = reservedUSD
        self.budget = budget
        self.counters = counters
    }
}
