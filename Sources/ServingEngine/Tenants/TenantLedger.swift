/// Every tenant's limits and counters: a pure state machine with no clock, no I/O and no lock
/// (``TenantLimiter`` wraps it in a `Mutex` and passes the time in).
///
/// A request is **admitted** (one request and its estimated tokens taken, a place in flight),
/// may **reserve** dollars once its route is known, and is **settled** exactly once with what
/// it really used: the token estimate is corrected, the reservation replaced by the real cost.
/// Tenants without an entry in the configuration are unlimited but still counted.
struct TenantLedger: Sendable {
    /// One tenant's state.
    struct Account: Sendable {
        var limits: TenantLimits
        var requests: TokenBucket?
        var tokens: TokenBucket?
        var inFlight = 0
        var spend = SpendCounter()
        var reservedUSD = 0.0
        var counters = TenantCounters()
        var recent = MinuteWindow()
        /// Whether the configuration or the operator named this tenant (unnamed ones are only counted).
        var configured: Bool
        /// The fleet's spend today and this month when this replica last synced (0 alone).
        var fleetDayAtSync = 0.0
        var fleetMonthAtSync = 0.0
        /// This replica's leases of the fleet's per-minute windows (nil alone, or without that limit).
        var fleetRequests: FleetWindow?
        var fleetTokens: FleetWindow?

        /// Whether any of its limits is one the fleet shares (per minute or budget).
        var hasFleetLimit: Bool { limits.requestsPerMinute != nil || limits.tokensPerMinute != nil || limits.hasBudget }

        init(limits: TenantLimits, configured: Bool, now: Double) {
            self.limits = limits
            self.configured = configured
            requests = limits.requestsPerMinute.map { TokenBucket(capacity: $0, now: now) }
            tokens = limits.tokensPerMinute.map { TokenBucket(capacity: $0, now: now) }
        }
    }

    var accounts: [String: Account] = [:]
    /// Spend not yet written to the fleet's shared ledger, by tenant and period.
    private(set) var unsynced: [SpendDelta.Key: Double] = [:]
    /// Replicas sharing the budgets (1 alone). Between two syncs a replica may spend only its
    /// share of what the fleet had left at the last one: the lease that bounds a fleet's overshoot.
    var fleetSize = 1
    /// How admission works in a fleet; nil for a replica that runs alone.
    var fleet: FleetLink?

    init(tenants: [TenantConfiguration], now: Double) {
        for tenant in tenants {
            accounts[tenant.name] = Account(limits: tenant.limits, configured: true, now: now)
        }
    }

    /// What ``admit(_:estimatedTokens:now:)`` decided.
    enum Admission: Sendable, Hashable {
        case admitted(TenantLimitStatus)
        case refused(TenantRefusal)
    }

    /// Takes one request and `estimatedTokens` from `tenant`'s limits, or refuses with the first
    /// limit in the way (blocked, concurrency, requests, tokens). Budgets are not checked here:
    /// a request that a cheaper route or a free provider can serve is not refused for them
    /// (see ``reserve(_:dollars:now:)``).
    mutating func admit(_ tenant: String, estimatedTokens: Int, now: Double) -> Admission {
        var account = accounts[tenant] ?? Account(limits: .unlimited, configured: false, now: now)
        defer { accounts[tenant] = account }
        let estimate = Double(max(0, estimatedTokens))
        func refuse(_ limit: TenantRefusal.Limit, after: Double, _ message: String) -> Admission {
            account.counters.throttled[limit, default: 0] += 1
            return .refused(TenantRefusal(tenant: tenant, limit: limit, retryAfterSeconds: max(0.001, after), status: Self.status(account, now: now, fleet: fleet, fleetSize: fleetSize), message: message))
        }
        if account.limits.blocked {
            return refuse(.blocked, after: 60, "tenant '\(tenant)' is blocked by the operator; requests are refused until the block is lifted (dashboard Tenants pane, or POST /admin/tenants/\(tenant)/limits {\"blocked\": false})")
        }
        if let cap = account.limits.maxConcurrent, account.inFlight >= cap {
            return refuse(.concurrency, after: 1, "tenant '\(tenant)' already has \(account.inFlight) requests in flight, its limit (tenants[].max_concurrent is \(cap)); retry when one finishes")
        }
        if var bucket = account.requests {
            guard bucket.take(1, now: now) else {
                let wait = bucket.wait(for: 1, now: now)
                account.requests = bucket
                return refuse(.requests, after: wait, "tenant '\(tenant)' is over its limit of \(bucket.capacityInt) requests per minute (tenants[].requests_per_minute); the next request is allowed in \(TenantLimitStatus.format(seconds: wait))")
            }
            account.requests = bucket
        }
        if var bucket = account.tokens {
            // An estimate larger than the whole bucket could never pass: let it through alone
            // on a full bucket (the debt it leaves holds the rate), rather than refuse forever.
            let needed = min(estimate, bucket.capacity)
            guard bucket.take(needed, now: now) else {
                let wait = bucket.wait(for: needed, now: now)
                account.tokens = bucket
                account.requests?.charge(-1, now: now)  // give back the request taken above
                return refuse(.tokens, after: wait, "tenant '\(tenant)' is over its limit of \(bucket.capacityInt) tokens per minute (tenants[].tokens_per_minute): this request needs about \(Int(estimate)) and \(bucket.remaining(now: now)) are left; retry in \(TenantLimitStatus.format(seconds: wait))")
            }
            if estimate > needed { bucket.charge(estimate - needed, now: now) }
            account.tokens = bucket
        }
        if let fleet, account.hasFleetLimit {
            if let refusal = admitInFleet(&account, tenant, fleet: fleet, estimate: estimate, now: now) {
                // Give back what the local buckets took above.
                account.requests?.charge(-1, now: now)
                account.tokens?.charge(-estimate, now: now)
                // A refusal that only waits for a lease is counted by whoever gives up on it
                // (``TenantLimiter``), not once per attempt.
                if !refusal.awaitingLease { account.counters.throttled[refusal.limit, default: 0] += 1 }
                var refused = TenantRefusal(tenant: tenant, limit: refusal.limit, retryAfterSeconds: max(0.001, refusal.after), status: Self.status(account, now: now, fleet: fleet, fleetSize: fleetSize), message: refusal.message)
                refused.awaitingLease = refusal.awaitingLease
                return .refused(refused)
            }
        }
        account.inFlight += 1
        account.counters.admitted += 1
        account.recent.add(requests: 1, tokens: 0, now: now)
        return .admitted(Self.status(account, now: now, fleet: fleet, fleetSize: fleetSize))
    }

    /// Where `tenant`'s budgets stand at `now`.
    func standing(_ tenant: String, now: Double) -> BudgetStanding? {
        guard let account = accounts[tenant], account.limits.hasBudget else { return nil }
        return Self.standing(account, now: now)
    }

    /// Reserves `dollars` for a request of `tenant` in flight if that keeps spent plus reserved
    /// within every budget; a tenant without a budget always fits. Returns whether it did.
    mutating func reserve(_ tenant: String, dollars: Double, now: Double) -> Bool {
        guard var account = accounts[tenant] else { return true }
        guard account.limits.hasBudget else { return true }
        account.spend.roll(now: now)
        let committed = account.reservedUSD + max(0, dollars)
        // Alone, spent + committed must stay within the budget. In a fleet of n, what this
        // replica spent since its last sync plus what it commits must stay within 1/n of what
        // the fleet had left then (with n = 1 the two are the same).
        func fits(_ budget: Double?, spent: Double, fleetAtSync: Double) -> Bool {
            guard let budget else { return true }
            let fleetAtSync = min(fleetAtSync, spent)
            let share = max(0, budget - fleetAtSync) / Double(max(1, fleetSize))
            return spent - fleetAtSync + committed <= share + 1e-12
        }
        guard fits(account.limits.dailyBudgetUSD, spent: account.spend.daySpent, fleetAtSync: account.fleetDayAtSync),
              fits(account.limits.monthlyBudgetUSD, spent: account.spend.monthSpent, fleetAtSync: account.fleetMonthAtSync)
        else { return false }
        account.reservedUSD = committed
        accounts[tenant] = account
        return true
    }

    /// Ends one admitted request: corrects its token estimate with `usedTokens`, replaces its
    /// reservation with `costUSD` and counts it.
    mutating func settle(_ tenant: String, estimatedTokens: Int, reservedUSD: Double, usedTokens: Int, costUSD: Double, cacheHit: Bool, steered: Bool, admittedAt: Double, now: Double) {
        guard var account = accounts[tenant] else { return }
        account.inFlight = max(0, account.inFlight - 1)
        let correction = Double(usedTokens - max(0, estimatedTokens))
        account.tokens?.charge(correction, now: now)
        if var window = account.fleetTokens {
            // Tokens beyond the estimate count now; an estimate too high is given back only to
            // the minute it was taken from.
            window.roll(now: now)
            if correction > 0 || FleetWindow.minute(of: admittedAt) == window.minute { window.use(correction, now: now) }
            account.fleetTokens = window
        }
        // Reservations belong to requests in flight: with none left there are none (no float residue).
        account.reservedUSD = account.inFlight == 0 ? 0 : max(0, account.reservedUSD - reservedUSD)
        account.spend.add(costUSD, now: now)
        if costUSD > 0, costUSD.isFinite {
            unsynced[SpendDelta.Key(tenant: tenant, period: .day(SpendCounter.day(of: now))), default: 0] += costUSD
            unsynced[SpendDelta.Key(tenant: tenant, period: .month(SpendCounter.month(of: now))), default: 0] += costUSD
        }
        account.recent.add(requests: 0, tokens: usedTokens, now: now)
        account.counters.tokens += usedTokens
        account.counters.spentUSD += max(0, costUSD)
        if cacheHit { account.counters.cacheHits += 1 }
        if steered { account.counters.steered += 1 }
        accounts[tenant] = account
    }

    /// Counts a refusal decided outside ``admit(_:estimatedTokens:now:)``: a budget's (by the
    /// route, after admission) or a fleet lease's that its caller stopped waiting for.
    mutating func countRefusal(_ tenant: String, limit: TenantRefusal.Limit) {
        accounts[tenant]?.counters.throttled[limit, default: 0] += 1
    }

    /// Replaces `tenant`'s limits (creating it if unknown), keeping what it has used.
    mutating func setLimits(_ tenant: String, _ limits: TenantLimits, now: Double) {
        var account = accounts[tenant] ?? Account(limits: limits, configured: true, now: now)
        account.configured = true
        account.limits = limits
        account.requests = Self.resized(account.requests, to: limits.requestsPerMinute, now: now)
        account.tokens = Self.resized(account.tokens, to: limits.tokensPerMinute, now: now)
        accounts[tenant] = account
    }

    /// Takes the spend not yet shared with the fleet (to be written), leaving none.
    mutating func takeUnsyncedSpend() -> [SpendDelta] {
        defer { unsynced = [:] }
        return unsynced.map { SpendDelta(key: $0.key, dollars: $0.value) }
    }

    /// Puts back spend that could not be written, to be written next time.
    mutating func returnUnsyncedSpend(_ deltas: [SpendDelta]) {
        for delta in deltas { unsynced[delta.key, default: 0] += delta.dollars }
    }

    /// Sets `tenant`'s spend in the current day and month to the fleet's totals, plus what this
    /// replica spent since it last wrote (not in those totals yet).
    mutating func applyFleetSpend(_ tenant: String, dayTotal: Double, monthTotal: Double, now: Double) {
        var account = accounts[tenant] ?? Account(limits: .unlimited, configured: false, now: now)
        let day = unsynced[SpendDelta.Key(tenant: tenant, period: .day(SpendCounter.day(of: now)))] ?? 0
        let month = unsynced[SpendDelta.Key(tenant: tenant, period: .month(SpendCounter.month(of: now)))] ?? 0
        account.spend = SpendCounter(daySpent: dayTotal + day, monthSpent: monthTotal + month, now: now)
        account.fleetDayAtSync = dayTotal
        account.fleetMonthAtSync = monthTotal
        accounts[tenant] = account
    }

    /// The limits of `tenant` (unlimited when it has none).
    func limits(of tenant: String) -> TenantLimits {
        accounts[tenant]?.limits ?? .unlimited
    }

    /// Every tenant's standing, sorted by name.
    func snapshot(now: Double) -> [TenantSnapshot] {
        accounts.keys.sorted().compactMap { name in
            guard let account = accounts[name] else { return nil }
            var spend = account.spend
            spend.roll(now: now)
            return TenantSnapshot(
                name: name, configured: account.configured, limits: account.limits, status: Self.status(account, now: now, fleet: fleet, fleetSize: fleetSize),
                inFlight: account.inFlight, requestsLastMinute: account.recent.requests(now: now), tokensLastMinute: account.recent.tokens(now: now),
                spentTodayUSD: spend.daySpent, spentThisMonthUSD: spend.monthSpent, reservedUSD: account.reservedUSD,
                budget: account.limits.hasBudget ? Self.standing(account, now: now) : nil, counters: account.counters
            )
        }
    }

    private static func resized(_ bucket: TokenBucket?, to limit: Int?, now: Double) -> TokenBucket? {
        guard let limit else { return nil }
        guard var bucket else { return TokenBucket(capacity: limit, now: now) }
        bucket.resize(to: limit, now: now)
        return bucket
    }

    /// The `x-ratelimit-*` figures: the replica's own bucket, and in a fleet no more than the
    /// fleet is thought to have left this minute (its reset then the minute's end, if sooner).
    static func status(_ account: Account, now: Double, fleet: FleetLink? = nil, fleetSize: Int = 1) -> TenantLimitStatus {
        func window(_ bucket: TokenBucket?, _ shared: FleetWindow?) -> TenantLimitStatus.Window? {
            guard let bucket else { return nil }
            var result = TenantLimitStatus.Window(limit: bucket.capacityInt, remaining: bucket.remaining(now: now), resetSeconds: bucket.resetIn(now: now))
            if fleet?.available == true, var shared {
                shared.roll(now: now)
                let fleetLeft = Int(shared.fleetRemaining(limit: bucket.capacity).rounded(.down))
                if fleetLeft < result.remaining {
                    result.remaining = fleetLeft
                    result.resetSeconds = min(result.resetSeconds, FleetWindow.secondsToNextMinute(from: now))
                }
            }
            return result
        }
        return TenantLimitStatus(
            requests: window(account.requests, account.fleetRequests), tokens: window(account.tokens, account.fleetTokens),
            budgetUsedPercent: account.limits.hasBudget ? standing(account, now: now).usedPercent : nil
        )
    }

    static func standing(_ account: Account, now: Double) -> BudgetStanding {
        var spend = account.spend
        spend.roll(now: now)
        var worst = BudgetStanding(usedPercent: 0, limit: .dailyBudget, budgetUSD: 0, spentUSD: 0, reservedUSD: account.reservedUSD, resetSeconds: 0, step: nil)
        var found = false
        if let daily = account.limits.dailyBudgetUSD {
            let used = daily > 0 ? (spend.daySpent + account.reservedUSD) / daily * 100 : 100
            worst = BudgetStanding(usedPercent: used, limit: .dailyBudget, budgetUSD: daily, spentUSD: spend.daySpent, reservedUSD: account.reservedUSD, resetSeconds: SpendCounter.secondsToNextDay(from: now), step: nil)
            found = true
        }
        if let monthly = account.limits.monthlyBudgetUSD {
            let used = monthly > 0 ? (spend.monthSpent + account.reservedUSD) / monthly * 100 : 100
            if !found || used > worst.usedPercent {
                worst = BudgetStanding(usedPercent: used, limit: .monthlyBudget, budgetUSD: monthly, spentUSD: spend.monthSpent, reservedUSD: account.reservedUSD, resetSeconds: SpendCounter.secondsToNextMonth(from: now), step: nil)
            }
        }
        worst.step = account.limits.onBudget.last { $0.atPercent <= worst.usedPercent }
        return worst
    }
}

extension TokenBucket {
    var capacityInt: Int { Int(capacity) }
}

/// Requests and tokens over the last 60 seconds, in one-second slots (no allocation per request).
struct MinuteWindow: Sendable, Hashable {
    private var seconds = [Int](repeating: .min, count: 60)
    private var requestCounts = [Int](repeating: 0, count: 60)
    private var tokenCounts = [Int](repeating: 0, count: 60)

    mutating func add(requests: Int, tokens: Int, now: Double) {
        let second = Int(now.rounded(.down))
        let slot = ((second % 60) + 60) % 60
        if seconds[slot] != second {
            seconds[slot] = second
            requestCounts[slot] = 0
            tokenCounts[slot] = 0
        }
        requestCounts[slot] += requests
        tokenCounts[slot] += tokens
    }

    func requests(now: Double) -> Int { sum(requestCounts, now: now) }
    func tokens(now: Double) -> Int { sum(tokenCounts, now: now) }

    private func sum(_ counts: [Int], now: Double) -> Int {
        let second = Int(now.rounded(.down))
        var total = 0
        for slot in 0..<60 where seconds[slot] > second - 60 && seconds[slot] <= second { total += counts[slot] }
        return total
    }
}
