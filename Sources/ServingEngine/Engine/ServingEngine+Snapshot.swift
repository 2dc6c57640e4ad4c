import Foundation

extension ServingEngine {
    /// An immutable picture of the engine now. Cheap: safe to call at frame rate.
    ///
    /// - Parameter activityLimit: how many of the most recent activity entries to include (a
    ///   screen shows a few dozen; the log keeps 300).
    public func snapshot(activityLimit: Int = 300) -> EngineSnapshot {
        let now = ContinuousClock.now
        let parts = metrics.parts(now: now)
        let second = metrics.second(now)
        let health = health.view(now: now)
        let rateWindow = 5

        func rate(_ counts: RollingCounts, channel: Int, over seconds: Int = rateWindow) -> Double {
            let elapsed = max(1, min(seconds, Int(second)))
            return Double(counts.sum(channel: channel, last: elapsed, before: second)) / Double(elapsed)
        }

        let recentRequests = parts.global.sum(channel: MetricsRecorder.Channel.requests, last: 60, before: second)
        let recentHits = parts.global.sum(channel: MetricsRecorder.Channel.hits, last: 60, before: second)
        let requestSeries = parts.global.series(channel: MetricsRecorder.Channel.requests, bucket: 10, buckets: 60, before: second)
        let hitSeries = parts.global.series(channel: MetricsRecorder.Channel.hits, bucket: 10, buckets: 60, before: second)

        let tiers = configuration.tiers.map { tier in
            let state = parts.tiers[tier.name]
            var snapshot = TierSnapshot(
                name: tier.name, chain: tier.chain, requests: state?.requests ?? 0,
                requestsPerSecond: state.map { rate($0.rate, channel: 0) } ?? 0,
                recentLatency: state?.recent.summary() ?? .empty, totalLatency: state?.total.summary() ?? .empty
            )
            snapshot.spentUSD = state?.spentUSD ?? 0
            snapshot.providerAnswered = state?.providerAnswered ?? 0
            return snapshot
        }
        let providers = configuration.providers.map { provider in
            let state = parts.providers[provider.name]
            let view = health[provider.name]
            let recentCalls = state?.rate.sum(channel: MetricsRecorder.Channel.requests, last: 60, before: second) ?? 0
            let recentFailures = state?.rate.sum(channel: MetricsRecorder.Channel.failures, last: 60, before: second) ?? 0
            let errorRate = recentCalls == 0 ? 0 : Double(recentFailures) / Double(recentCalls)
            var providerState = view?.state ?? .healthy
            if providerState == .healthy, recentCalls >= 5, errorRate >= 0.1 { providerState = .degraded }
            var snapshot = ProviderSnapshot(
                name: provider.name, model: provider.model, kind: provider.kind.name,
                tiers: configuration.tiers.filter { $0.chain.contains(provider.name) }.map(\.name),
                state: providerState, override: view?.override ?? .auto, breakerReason: view?.reason,
                nextProbeIn: view?.nextProbeIn, inFlight: view?.inFlight ?? 0,
                requestsPerSecond: state.map { rate($0.rate, channel: MetricsRecorder.Channel.requests) } ?? 0,
                recentErrorRate: errorRate, recentLatency: state?.latency.recent.summary() ?? .empty,
                attempts: state?.attempts ?? 0, successes: state?.successes ?? 0, failures: state?.failures ?? 0,
                circuitOpens: view?.circuitOpens ?? 0, spentUSD: state?.spentUSD ?? 0
            )
            snapshot.overrideOrigin = shared.origin(of: provider.name)
            snapshot.healthCheckFailure = view?.healthCheckFailure
            return snapshot
        }
        var snapshot = EngineSnapshot(
            takenAt: Date(),
            uptime: now - metrics.started,
            configurationSource: configuration.source,
            totals: parts.totals,
            requestsPerSecond: rate(parts.global, channel: MetricsRecorder.Channel.requests),
            recentHitRate: recentRequests == 0 ? 0 : Double(recentHits) / Double(recentRequests),
            hitRateHistory: zip(requestSeries, hitSeries).map { requests, hits in requests == 0 ? nil : Double(hits) / Double(requests) },
            requestRateHistory: requestSeries.map { Double($0) / 10 },
            cache: CacheSnapshot(
                enabled: cache != nil, embedder: cache?.embedder.name ?? configuration.embedder.kind.rawValue, embedderVariant: cache?.embedder.variant,
                rule: cache?.rule,
                statistics: cache?.statistics ?? SemanticCache.Statistics(),
                maxEntries: configuration.cache.maxEntries, maxBytes: configuration.cache.maxBytes,
                recentSemanticHits: Array(parts.semanticHits)
            ),
            tiers: tiers,
            providers: providers,
            activity: Array(parts.activity.prefix(max(0, activityLimit))),
            traffic: traffic.status,
            routerThresholds: router.thresholds,
            router: routerStatus(parts: parts, second: second)
        )
        snapshot.sharedState = shared.status
        snapshot.tenants = tenants.snapshot()
        return snapshot
    }

    private func routerStatus(parts: MetricsRecorder.Parts, second: Int64) -> EngineSnapshot.RouterStatus {
        let cheapest = router.thresholds.first?.tier
        var routed = 0, strong = 0
        for tier in configuration.tiers {
            let count = parts.tiers[tier.name]?.rate.sum(channel: 0, last: 60, before: second) ?? 0
            routed += count
            if tier.name != cheapest { strong += count }
        }
        return EngineSnapshot.RouterStatus(
            strategy: router.strategyName,
            recentStrongShare: routed == 0 ? 0 : Double(strong) / Double(routed),
            recentScores: router.recentScores.sorted()
        )
    }
}
