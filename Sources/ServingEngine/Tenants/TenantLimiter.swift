import Foundation
import Synchronization

/// The one entry point for tenants' limits: every route that reaches a provider admits its
/// request here first, and settles it when it ends.
///
/// ```swift
/// switch engine.tenants.admit("acme", estimatedTokens: TenantLimiter.estimate(request)) {
/// case .failure(let refusal):  // 429: refusal.message, refusal.retryAfterSeconds, refusal.code
/// case .success(let pass):
///     let answer = try await pass.run { try await engine.complete(request) }
///     pass.settle(answer.decision)   // or let the pass go: it settles itself with nothing used
/// }
/// ```
///
/// Thread-safe (one `Mutex` around a pure ``TenantLedger``); the clock is injected so tests can
/// drive time. Admission is atomic, so on one replica no limit is ever exceeded by a race; see
/// the README ("Tenants") for the bounds that estimates and reservations leave.
package final class TenantLimiter: Sendable {
    private let ledger: Mutex<TenantLedger>
    private let clock: @Sendable () -> Double
    /// Answer tokens assumed for a request that sets no `max_tokens`.
    package let defaultAnswerTokens: Int

    /// Creates a limiter for `tenants`.
    ///
    /// - Parameters:
    ///   - tenants: the configured tenants; any other tenant is unlimited but counted.
    ///   - defaultAnswerTokens: the answer length assumed when a request sets no `max_tokens`.
    ///   - clock: seconds since 1970; the wall clock by default (budgets follow UTC days).
    package init(tenants: [TenantConfiguration], defaultAnswerTokens: Int = 256, clock: @escaping @Sendable () -> Double = TenantLimiter.wallClock) {
        self.clock = clock
        self.defaultAnswerTokens = defaultAnswerTokens
        ledger = Mutex(TenantLedger(tenants: tenants, now: clock()))
    }

    /// Seconds since 1970 by the system clock: the default clock.
    @Sendable package static func wallClock() -> Double {
        Date().timeIntervalSince1970
    }

    /// Admits one request of `tenant` estimated at `estimatedTokens`, or says which limit refuses it.
    package func admit(_ tenant: String, estimatedTokens: Int) -> Result<TenantPass, TenantRefusal> {
        let result = attempt(tenant, estimatedTokens: estimatedTokens)
        if case .failure(let refusal) = result, refusal.awaitingLease { countRefusal(refusal) }
        return result
    }

    /// ``admit(_:estimatedTokens:)``, except that a request refused only because this replica's
    /// next lease of a fleet-wide per-minute limit is on its way waits for it, up to `patience`
    /// (the lease loop answers within a few milliseconds while the database is reachable), rather
    /// than being sent back with a 429 the fleet did not need to give. The routes that reach
    /// providers admit this way.
    package func admitWaiting(_ tenant: String, estimatedTokens: Int, patience: Duration = .milliseconds(250)) async -> Result<TenantPass, TenantRefusal> {
        let deadline = ContinuousClock.now + patience
        while true {
            let result = attempt(tenant, estimatedTokens: estimatedTokens)
            guard case .failure(let refusal) = result, refusal.awaitingLease else { return result }
            if ContinuousClock.now >= deadline || Task.isCancelled {
                countRefusal(refusal)
                return result
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func attempt(_ tenant: String, estimatedTokens: Int) -> Result<TenantPass, TenantRefusal> {
        let now = clock()
        switch ledger.withLock({ $0.admit(tenant, estimatedTokens: estimatedTokens, now: now) }) {
        case .admitted(let status): return .success(TenantPass(tenant: tenant, estimatedTokens: estimatedTokens, status: status, admittedAt: now, limiter: self))
        case .refused(let refusal): return .failure(refusal)
        }
    }

    private func countRefusal(_ refusal: TenantRefusal) {
        ledger.withLock { $0.countRefusal(refusal.tenant, limit: refusal.limit) }
    }

    /// Tokens a chat request is expected to use: its prompt (about four characters a token, a
    /// few more per message) and its `max_tokens`, or ``defaultAnswerTokens``.
    package func estimate(_ request: ChatRequest) -> Int {
        TokenEstimator.estimate(request.messages) + (request.sampling.maxTokens ?? defaultAnswerTokens)
    }

    /// Where `tenant`'s budget stands now, if it has one.
    package func standing(_ tenant: String) -> BudgetStanding? {
        let now = clock()
        return ledger.withLock { $0.standing(tenant, now: now) }
    }

    /// The limits of `tenant`.
    package func limits(of tenant: String) -> TenantLimits {
        ledger.withLock { $0.limits(of: tenant) }
    }

    /// Changes `tenant`'s limits at run time (creating the tenant if unknown) and returns the new ones.
    @discardableResult
    package func change(_ tenant: String, _ change: TenantLimitsChange) -> TenantLimits {
        let now = clock()
        return ledger.withLock { ledger in
            let limits = change.applied(to: ledger.limits(of: tenant))
            ledger.setLimits(tenant, limits, now: now)
            return limits
        }
    }

    /// Every tenant seen or configured, sorted by name.
    package func snapshot() -> [TenantSnapshot] {
        let now = clock()
        return ledger.withLock { $0.snapshot(now: now) }
    }

    /// Takes the spend not yet shared with the fleet (shared state writes it).
    package func takeUnsyncedSpend() -> [SpendDelta] {
        ledger.withLock { $0.takeUnsyncedSpend() }
    }

    /// Puts back spend that could not be written.
    package func returnUnsyncedSpend(_ deltas: [SpendDelta]) {
        ledger.withLock { $0.returnUnsyncedSpend(deltas) }
    }

    /// The current day and month, as the shared ledger names them.
    package func currentPeriods() -> (day: SpendDelta.Period, month: SpendDelta.Period) {
        let now = clock()
        return (.day(SpendCounter.day(of: now)), .month(SpendCounter.month(of: now)))
    }

    /// Sets each tenant's spend today and this month to the fleet's totals (plus what this
    /// replica spent since it last wrote): how replicas share one budget, and how spend
    /// survives a restart.
    package func applyFleetSpend(_ totals: [String: (day: Double, month: Double)]) {
        let now = clock()
        ledger.withLock { ledger in
            for (tenant, total) in totals { ledger.applyFleetSpend(tenant, dayTotal: total.day, monthTotal: total.month, now: now) }
        }
    }

    /// How many replicas share the budgets (shared state reports it with each heartbeat).
    package func setFleetSize(_ replicas: Int) {
        ledger.withLock { $0.fleetSize = max(1, replicas) }
    }

    /// Makes this limiter one replica's part of a fleet: per-minute limits are leased from the
    /// shared rows from now on, and `policy` says what happens while the database is away.
    /// Starts unavailable until the first exchange with the database succeeds.
    package func joinFleet(onUnavailable policy: UnavailablePolicy, leaseSlices: Int) {
        ledger.withLock { $0.fleet = FleetLink(onUnavailable: policy, available: false, leaseSlices: max(1, leaseSlices)) }
    }

    /// Whether the shared database answered the last exchange (shared state reports it).
    package func setFleetAvailable(_ available: Bool) {
        ledger.withLock { $0.fleet?.available = available }
    }

    /// The exchanges with the fleet's per-minute rows needed now (shared state carries them).
    package func leaseWork() -> [LeaseExchange] {
        let now = clock()
        return ledger.withLock { $0.leaseWork(now: now) }
    }

    /// Gives back the rest of every lease (shared state calls it when the replica stops).
    package func releaseLeases() -> [LeaseExchange] {
        let now = clock()
        return ledger.withLock { $0.leaseWork(now: now, releasing: true) }
    }

    /// Records the shared rows' answers to ``leaseWork()``.
    package func leaseSettled(_ results: [(exchange: LeaseExchange, granted: Double, fleetGranted: Double)]) {
        ledger.withLock { ledger in
            for result in results { ledger.leaseSettled(result.exchange, granted: result.granted, fleetGranted: result.fleetGranted) }
        }
    }

    /// Records that ``leaseWork()``'s exchanges could not be made.
    package func leaseFailed(_ exchanges: [LeaseExchange]) {
        ledger.withLock { ledger in
            for exchange in exchanges { ledger.leaseFailed(exchange) }
        }
    }

    /// Sets `tenant`'s limits to `limits` as another replica changed them, keeping what it used.
    package func replaceLimits(_ tenant: String, _ limits: TenantLimits) {
        let now = clock()
        ledger.withLock { $0.setLimits(tenant, limits, now: now) }
    }

    /// Whether `tenant` may not pay a provider now because the fleet fails closed while the
    /// database is away.
    func budgetHeldClosed(_ tenant: String) -> Bool {
        ledger.withLock { $0.budgetHeldClosed(tenant) }
    }

    func countFailedClosed(_ tenant: String) {
        ledger.withLock { $0.countFailedClosed(tenant) }
    }

    func reserve(_ tenant: String, dollars: Double) -> Bool {
        let now = clock()
        return ledger.withLock { $0.reserve(tenant, dollars: dollars, now: now) }
    }

    func countBudgetRefusal(_ tenant: String, limit: TenantRefusal.Limit) {
        ledger.withLock { $0.countRefusal(tenant, limit: limit) }
    }

    func settle(_ tenant: String, estimatedTokens: Int, reservedUSD: Double, usedTokens: Int, costUSD: Double, cacheHit: Bool, steered: Bool, admittedAt: Double) {
        let now = clock()
        ledger.withLock { $0.settle(tenant, estimatedTokens: estimatedTokens, reservedUSD: reservedUSD, usedTokens: usedTokens, costUSD: costUSD, cacheHit: cacheHit, steered: steered, admittedAt: admittedAt, now: now) }
    }
}
