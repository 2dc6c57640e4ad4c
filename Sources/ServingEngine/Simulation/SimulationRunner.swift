/// Runs the engine headless on generated traffic, with scheduled provider failures, and reports.
package struct SimulationRunner: Sendable {
    private let engine: ServingEngine

    /// Creates a runner for `engine`.
    package init(engine: ServingEngine) {
        self.engine = engine
    }

    /// Runs `plan` and returns the report once every request sent has finished.
    package func run(_ plan: SimulationPlan) async throws(SimulationError) -> SimulationReport {
        let known = Set(engine.configuration.providers.map(\.name))
        for window in plan.failures where !known.contains(window.provider) {
            throw SimulationError("no provider named '\(window.provider)' in \(engine.configuration.source); known providers: \(engine.configuration.providers.map(\.name).joined(separator: ", "))")
        }
        guard plan.rate > 0, plan.duration > .zero else {
            throw SimulationError("the rate and the duration must both be positive")
        }
        do {
            _ = try engine.perform(.setTrafficRate(plan.rate))
        } catch {
            throw SimulationError(error.message)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let generator = TrafficGenerator(engine: engine, seed: plan.seed)
        let engine = self.engine
        let fallbacksInWindows = await withTaskGroup(of: Int.self) { group in
            group.addTask {
                _ = await generator.run(for: plan.duration)
                return 0
            }
            for window in plan.failures {
                group.addTask {
                    try? await Task.sleep(until: start + .milliseconds(Int64(window.start * 1000)), clock: clock)
                    _ = try? engine.perform(.setOverride(provider: window.provider, .forcedDown))
                    let before = engine.snapshot().totals.fallbacks
                    try? await Task.sleep(until: start + .milliseconds(Int64(window.end * 1000)), clock: clock)
                    _ = try? engine.perform(.setOverride(provider: window.provider, .auto))
                    return engine.snapshot().totals.fallbacks - before
                }
            }
            return await group.reduce(0, +)
        }
        let wall = (clock.now - start).seconds
        var report = Self.report(engine.snapshot(), fallbacksInWindows: fallbacksInWindows, wallSeconds: wall)
        let tenants = engine.tenants.snapshot()
        report.tenants = Dictionary(uniqueKeysWithValues: tenants.map { tenant in
            let budget = tenant.counters.throttled.filter { $0.key == .dailyBudget || $0.key == .monthlyBudget }.values.reduce(0, +)
            return (tenant.name, SimulationReport.Tenant(
                admitted: tenant.counters.admitted, rateLimited: tenant.counters.throttledTotal - budget, budgetRefused: budget,
                steered: tenant.counters.steered, spentUsd: tenant.counters.spentUSD, dailyBudgetUsd: tenant.limits.dailyBudgetUSD,
                budgetUsedPct: tenant.budget.map { ($0.usedPercent * 10).rounded() / 10 }
            ))
        })
        // Requests a rate limit refused never reached the engine: they are accounted for.
        let refusedBeforeTheEngine = report.tenants.values.reduce(0) { $0 + $1.rateLimited }
        report.lost = max(0, report.lost - refusedBeforeTheEngine)
        return report
    }

    static func report(_ snapshot: EngineSnapshot, fallbacksInWindows: Int, wallSeconds: Double) -> SimulationReport {
        let totals = snapshot.totals
        let answered = totals.completed + totals.failed + totals.interrupted + totals.cancelled
        let sent = snapshot.traffic.sent
        func ms(_ duration: Duration) -> Double { (duration.milliseconds * 10).rounded() / 10 }
        return SimulationReport(
            requests: sent,
            completed: totals.completed,
            failed: totals.failed + totals.interrupted,
            lost: max(0, sent - answered) + totals.cancelled,
            cache: .init(hits: totals.cacheHits, exactHits: totals.exactHits, semanticHits: totals.semanticHits, hitRate: (totals.hitRate * 10000).rounded() / 10000, entries: snapshot.cache.statistics.entries),
            tiers: Dictionary(uniqueKeysWithValues: snapshot.tiers.map { tier in
                (tier.name, .init(requests: tier.requests, p50Ms: ms(tier.totalLatency.p50), p95Ms: ms(tier.totalLatency.p95), p99Ms: ms(tier.totalLatency.p99)))
            }),
            providers: Dictionary(uniqueKeysWithValues: snapshot.providers.map { provider in
                (provider.name, .init(attempts: provider.attempts, successes: provider.successes, failures: provider.failures, circuitOpens: provider.circuitOpens, spentUsd: provider.spentUSD))
            }),
            fallbacks: totals.fallbacks,
            fallbacksDuringFailures: fallbacksInWindows,
            cost: .init(actualUsd: totals.spentUSD, frontierOnlyUsd: totals.frontierOnlyUSD, savedPct: (totals.savedFraction * 1000).rounded() / 10),
            wallSeconds: (wallSeconds * 100).rounded() / 100
        )
    }
}
