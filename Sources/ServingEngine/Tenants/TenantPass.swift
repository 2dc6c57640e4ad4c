import Synchronization

/// One admitted request's place under its tenant's limits, given back exactly once.
///
/// Run the engine call inside ``run(_:)`` (or ``scope(_:)`` for a stream, which must be
/// *created* inside it) so the engine's budget step can reserve the request's worst-case cost;
/// then ``settle(_:)`` with the decision record. A pass dropped unsettled (the client left, the
/// request failed) settles itself: nothing used, nothing spent, its reservation released.
package final class TenantPass: Sendable {
    /// The tenant.
    package let tenant: String
    /// The tokens taken at admission.
    package let estimatedTokens: Int
    /// Where the tenant stood once this request was admitted: the `x-ratelimit-*` values.
    package let status: TenantLimitStatus
    /// When it was admitted, by the limiter's clock.
    let admittedAt: Double
    private let limiter: TenantLimiter
    private let state = Mutex(State())

    private struct State {
        var reservedUSD = 0.0
        var steered = false
        var settled = false
        var note: BudgetNote?
    }

    /// What the budget step did to this request's route, once it was routed.
    package var budgetNote: BudgetNote? { state.withLock { $0.note } }

    /// The pass of the request running in this task, if its caller admitted one.
    @TaskLocal package static var current: TenantPass?

    init(tenant: String, estimatedTokens: Int, status: TenantLimitStatus, admittedAt: Double, limiter: TenantLimiter) {
        self.tenant = tenant
        self.estimatedTokens = estimatedTokens
        self.status = status
        self.admittedAt = admittedAt
        self.limiter = limiter
    }

    /// Runs `operation` with this pass as ``current``.
    package func run<T: Sendable>(_ operation: () async throws -> T) async rethrows -> T {
        try await Self.$current.withValue(self) { try await operation() }
    }

    /// Runs synchronous `operation` with this pass as ``current``: create an engine stream in it
    /// (the stream's task inherits the pass).
    package func scope<T>(_ operation: () throws -> T) rethrows -> T {
        try Self.$current.withValue(self) { try operation() }
    }

    /// Settles from what the engine recorded: its tokens and cost (nothing for a cache hit).
    package func settle(_ record: DecisionRecord) {
        let hit = record.isCacheHit
        settle(usedTokens: hit ? 0 : record.usage.totalTokens, costUSD: hit ? 0 : record.costUSD, cacheHit: hit)
    }

    /// Settles with what the request used; later calls do nothing.
    package func settle(usedTokens: Int, costUSD: Double, cacheHit: Bool = false) {
        let taken: (Double, Bool)? = state.withLock { state in
            guard !state.settled else { return nil }
            state.settled = true
            return (state.reservedUSD, state.steered)
        }
        guard let (reserved, steered) = taken else { return }
        limiter.settle(tenant, estimatedTokens: estimatedTokens, reservedUSD: reserved, usedTokens: usedTokens, costUSD: costUSD, cacheHit: cacheHit, steered: steered, admittedAt: admittedAt)
    }

    /// Reserves `dollars` of the budget for this request if they fit; false when they do not.
    func reserve(_ dollars: Double) -> Bool {
        guard dollars > 0 else { return true }
        guard limiter.reserve(tenant, dollars: dollars) else { return false }
        state.withLock { $0.reservedUSD += dollars }
        return true
    }

    func markSteered(_ note: BudgetNote?) {
        state.withLock { $0.steered = true; $0.note = note }
    }

    deinit { settle(usedTokens: 0, costUSD: 0) }
}
