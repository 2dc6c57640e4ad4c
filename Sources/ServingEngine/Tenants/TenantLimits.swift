/// One tenant's limits: what a `tenants[]` entry sets and the operator may change at run time.
///
/// `nil` means unlimited. Budgets are in US dollars computed from the providers' prices (a
/// zero-price provider never consumes them); days and months are UTC calendar days and months.
///
/// ```swift
/// var limits = TenantLimits(requestsPerMinute: 600, tokensPerMinute: 200_000, dailyBudgetUSD: 5)
/// limits.onBudget = [BudgetStep(atPercent: 80, action: .tier("small")), BudgetStep(atPercent: 100, action: .refuse)]
/// ```
public struct TenantLimits: Sendable, Hashable, Codable {
    /// Requests admitted per minute (a bucket of this size that refills continuously).
    public var requestsPerMinute: Int?
    /// Prompt and answer tokens per minute: estimated when a request is admitted, corrected
    /// with the provider's usage when it ends.
    public var tokensPerMinute: Int?
    /// Requests of the tenant in flight at once.
    public var maxConcurrent: Int?
    /// Dollars per UTC day.
    public var dailyBudgetUSD: Double?
    /// Dollars per UTC calendar month.
    public var monthlyBudgetUSD: Double?
    /// How routing changes as the budget is used, in order of `atPercent`.
    public var onBudget: [BudgetStep]
    /// An operator's block: every request is refused until it is lifted.
    public var blocked: Bool

    /// Creates limits; by default nothing is limited.
    public init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, maxConcurrent: Int? = nil, dailyBudgetUSD: Double? = nil, monthlyBudgetUSD: Double? = nil, onBudget: [BudgetStep] = [], blocked: Bool = false) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.maxConcurrent = maxConcurrent
        self.dailyBudgetUSD = dailyBudgetUSD
        self.monthlyBudgetUSD = monthlyBudgetUSD
        self.onBudget = onBudget.sorted { $0.atPercent < $1.atPercent }
        self.blocked = blocked
    }

    /// No limit at all.
    public static let unlimited = TenantLimits()

    /// Whether any budget is set.
    public var hasBudget: Bool { dailyBudgetUSD != nil || monthlyBudgetUSD != nil }

    /// The ranges the configuration and the admin API accept, so both say the same.
    public static let rateRange = 1...100_000_000
    /// The budgets the configuration and the admin API accept, in dollars.
    public static let budgetRange = 0.0...1_000_000_000
}

/// A named tenant's limits, as the `tenants[]` section lists them.
public struct TenantConfiguration: Sendable, Hashable {
    /// The tenant, as API keys (`gateway.api_keys[].tenant`) and the console's `@tenant` name it.
    public var name: String
    /// Its limits.
    public var limits: TenantLimits

    /// Creates a tenant entry.
    public init(name: String, limits: TenantLimits) {
        self.name = name
        self.limits = limits
    }
}

/// A change to some of a tenant's limits: the admin API's and the console's unit. A field left
/// `nil` is kept; `.some(nil)` removes that limit.
public struct TenantLimitsChange: Sendable, Hashable {
    public var requestsPerMinute: Int??
    public var tokensPerMinute: Int??
    public var maxConcurrent: Int??
    public var dailyBudgetUSD: Double??
    public var monthlyBudgetUSD: Double??
    public var onBudget: [BudgetStep]?
    public var blocked: Bool?

    /// Creates a change; by default it changes nothing.
    public init(requestsPerMinute: Int?? = nil, tokensPerMinute: Int?? = nil, maxConcurrent: Int?? = nil, dailyBudgetUSD: Double?? = nil, monthlyBudgetUSD: Double?? = nil, onBudget: [BudgetStep]? = nil, blocked: Bool? = nil) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.maxConcurrent = maxConcurrent
        self.dailyBudgetUSD = dailyBudgetUSD
        self.monthlyBudgetUSD = monthlyBudgetUSD
        self.onBudget = onBudget
        self.blocked = blocked
    }

    /// `limits` with this change made.
    public func applied(to limits: TenantLimits) -> TenantLimits {
        var result = limits
        if let requestsPerMinute { result.requestsPerMinute = requestsPerMinute }
        if let tokensPerMinute { result.tokensPerMinute = tokensPerMinute }
        if let maxConcurrent { result.maxConcurrent = maxConcurrent }
        if let dailyBudgetUSD { result.dailyBudgetUSD = dailyBudgetUSD }
        if let monthlyBudgetUSD { result.monthlyBudgetUSD = monthlyBudgetUSD }
        if let onBudget { result.onBudget = onBudget.sorted { $0.atPercent < $1.atPercent } }
        if let blocked { result.blocked = blocked }
        return result
    }

    /// Why the change cannot be made, in words, or nil when every value is in range.
    public var problem: String? {
        for (key, value) in [("requests_per_minute", requestsPerMinute), ("tokens_per_minute", tokensPerMinute), ("max_concurrent", maxConcurrent)] {
            if let value = value ?? nil, !TenantLimits.rateRange.contains(value) {
                return "\(key) must be a whole number from 1 to \(TenantLimits.rateRange.upperBound), or null for no limit; got \(value)"
            }
        }
        for (key, value) in [("daily_usd", dailyBudgetUSD), ("monthly_usd", monthlyBudgetUSD)] {
            if let value = value ?? nil, !(value.isFinite && TenantLimits.budgetRange.contains(value)) {
                return "budget.\(key) must be a number of dollars from 0 to 1000000000, or null for no budget; got \(value)"
            }
        }
        for step in onBudget ?? [] where !(step.atPercent.isFinite && (1...100).contains(step.atPercent)) {
            return "on_budget[].at_percent must be from 1 to 100; got \(step.atPercent)"
        }
        return nil
    }
}
