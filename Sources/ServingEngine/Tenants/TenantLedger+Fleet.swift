/// How a replica of a fleet admits: what it does while the shared database is away, whether it
/// is away now, and how big a lease of a per-minute window is.
struct FleetLink: Sendable, Hashable {
    /// Fail open or closed while the database cannot be reached.
    var onUnavailable: UnavailablePolicy
    /// Whether the last exchange with the database succeeded.
    var available: Bool
    /// A lease is `1 / (leaseSlices × replicas)` of a per-minute limit.
    var leaseSlices: Int

    /// The lease size for a per-minute `limit` shared by `replicas`: at least one unit.
    func slice(limit: Double, replicas: Int) -> Double {
        max(1, (limit / Double(max(1, leaseSlices) * max(1, replicas))).rounded(.up))
    }
}

extension TenantLedger {
    /// Why the fleet's part of admission refused a request.
    struct FleetRefusal {
        var limit: TenantRefusal.Limit
        var after: Double
        var message: String
        var awaitingLease = false
    }

    /// The fleet's part of admission, after the replica's own buckets let a request through:
    /// one request and `estimate` tokens against this replica's leases of the minute. While the
    /// database is away, `open` admits on the local buckets alone and `closed` only within
    /// the leases already held; both are counted.
    func admitInFleet(_ account: inout Account, _ tenant: String, fleet: FleetLink, estimate: Double, now: Double) -> FleetRefusal? {
        let replicas = fleetSize
        if account.limits.requestsPerMinute != nil { Self.ensure(&account.fleetRequests, now: now) }
        if account.limits.tokensPerMinute != nil { Self.ensure(&account.fleetTokens, now: now) }
        if !fleet.available, fleet.onUnavailable == .open {
            account.counters.failedOpen += 1
            // Still counted, so that the figures are right if the database returns this minute.
            account.fleetRequests?.use(1, now: now)
            account.fleetTokens?.use(estimate, now: now)
            return nil
        }
        // Running ahead of the lease only while a new one can come.
        let runAhead = fleet.available
        func refuse(_ limit: TenantRefusal.Limit, _ size: Int, _ unit: String, window: FleetWindow) -> FleetRefusal {
            let key = limit == .requests ? "requests_per_minute" : "tokens_per_minute"
            if !fleet.available {
                account.counters.failedClosed += 1
                return FleetRefusal(
                    limit: limit, after: 1,
                    message: "tenant '\(tenant)' is held to what this replica had leased of its \(size) \(unit) per minute (tenants[].\(key)) — \(Int(window.leased)) this minute — because the shared-state database cannot be reached and shared_state.on_unavailable is closed; retry shortly, or set on_unavailable: open to admit on each replica's own limits during an outage"
                )
            }
            let wait = window.exhausted ? FleetWindow.secondsToNextMinute(from: now) : 0.2
            let why = window.exhausted
                ? "the fleet of \(replicas) replicas has admitted its limit of \(size) \(unit) this minute"
                : "this replica is waiting for its next share of the fleet's \(size) \(unit) per minute"
            return FleetRefusal(limit: limit, after: wait, message: "tenant '\(tenant)' is over its limit of \(size) \(unit) per minute (tenants[].\(key)): \(why); retry in \(TenantLimitStatus.format(seconds: wait))", awaitingLease: !window.exhausted)
        }
        if let limit = account.limits.requestsPerMinute, let window = account.fleetRequests {
            guard window.fits(1, slice: fleet.slice(limit: Double(limit), replicas: replicas), runAhead: runAhead) else {
                account.fleetRequests?.missed(1, now: now)
                return refuse(.requests, limit, "requests", window: window)
            }
        }
        if let limit = account.limits.tokensPerMinute, let window = account.fleetTokens {
            // As on one replica, an estimate larger than the whole limit passes alone (its use
            // then counts against the minute in full).
            let needed = min(estimate, Double(limit))
            guard window.fits(needed, slice: fleet.slice(limit: Double(limit), replicas: replicas), runAhead: runAhead) else {
                account.fleetTokens?.missed(needed, now: now)
                return refuse(.tokens, limit, "tokens", window: window)
            }
        }
        account.fleetRequests?.use(1, now: now)
        account.fleetTokens?.use(estimate, now: now)
        return nil
    }

    /// Gives `slot` a window for the minute of `now`.
    private static func ensure(_ slot: inout FleetWindow?, now: Double) {
        if slot == nil { slot = FleetWindow(now: now) }
        slot?.roll(now: now)
    }

    /// The exchanges with the fleet's per-minute rows this replica needs at `now`: a new slice
    /// for a window running low, or the rest of an idle one given back (with `releasing`, the
    /// rest of every lease: the replica is stopping).
    mutating func leaseWork(now: Double, releasing: Bool = false) -> [LeaseExchange] {
        guard let fleet, fleet.available else { return [] }
        var work: [LeaseExchange] = []
        for name in accounts.keys.sorted() {
            guard var account = accounts[name] else { continue }
            if let limit = account.limits.requestsPerMinute, var window = account.fleetRequests {
                if let amount = releasing ? window.release(now: now) : window.exchange(slice: fleet.slice(limit: Double(limit), replicas: fleetSize), now: now) {
                    work.append(LeaseExchange(tenant: name, kind: .requests, minute: window.minute, amount: amount, limit: Double(limit)))
                }
                account.fleetRequests = window
            }
            if let limit = account.limits.tokensPerMinute, var window = account.fleetTokens {
                if let amount = releasing ? window.release(now: now) : window.exchange(slice: fleet.slice(limit: Double(limit), replicas: fleetSize), now: now) {
                    work.append(LeaseExchange(tenant: name, kind: .tokens, minute: window.minute, amount: amount, limit: Double(limit)))
                }
                account.fleetTokens = window
            }
            accounts[name] = account
        }
        return work
    }

    /// The shared rows' answers: `granted` of each exchange's amount, and the fleet's grants now.
    mutating func leaseSettled(_ exchange: LeaseExchange, granted: Double, fleetGranted: Double) {
        update(exchange) { $0.settled(minute: exchange.minute, asked: exchange.amount, granted: granted, fleetGranted: fleetGranted) }
    }

    /// The exchanges could not be made: nothing granted, returns kept.
    mutating func leaseFailed(_ exchange: LeaseExchange) {
        update(exchange) { $0.failed(minute: exchange.minute, asked: exchange.amount) }
    }

    private mutating func update(_ exchange: LeaseExchange, _ change: (inout FleetWindow) -> Void) {
        guard var account = accounts[exchange.tenant] else { return }
        switch exchange.kind {
        case .requests: if var window = account.fleetRequests { change(&window); account.fleetRequests = window }
        case .tokens: if var window = account.fleetTokens { change(&window); account.fleetTokens = window }
        }
        accounts[exchange.tenant] = account
    }

    /// Whether `tenant`'s priced calls are held back because the database is away and the fleet
    /// fails closed (only zero-price providers and the cache may answer then).
    func budgetHeldClosed(_ tenant: String) -> Bool {
        guard let fleet, !fleet.available, fleet.onUnavailable == .closed else { return false }
        return accounts[tenant]?.limits.hasBudget == true
    }

    /// Counts a request that failing closed kept from a priced provider.
    mutating func countFailedClosed(_ tenant: String) {
        accounts[tenant]?.counters.failedClosed += 1
    }
}
