import Foundation

extension EngineSnapshot {
    /// A snapshot of nothing yet: what an attached console shows before the server's first frame.
    package static func empty(source: String) -> EngineSnapshot {
        EngineSnapshot(
            takenAt: Date(), uptime: .zero, configurationSource: source, totals: Totals(), requestsPerSecond: 0, recentHitRate: 0,
            hitRateHistory: Array(repeating: nil, count: 60), requestRateHistory: Array(repeating: 0, count: 60),
            cache: CacheSnapshot(enabled: false, embedder: "-", rule: nil, statistics: SemanticCache.Statistics(), maxEntries: 0, maxBytes: 0, recentSemanticHits: []),
            tiers: [], providers: [], activity: [], traffic: TrafficStatus(enabled: false, rate: 0, paused: false, sent: 0), routerThresholds: []
        )
    }
}
