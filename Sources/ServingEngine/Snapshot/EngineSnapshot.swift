public import Foundation

/// An immutable picture of the engine at one moment: totals, rates, cache, tiers, providers and
/// recent activity. Taking one never blocks request handling for more than a few map copies;
/// the dashboard takes one per frame.
public struct EngineSnapshot: Sendable, Codable {
    /// When the snapshot was taken.
    public var takenAt: Date
    /// How long the engine has been running.
    public var uptime: Duration
    /// Where the configuration came from (`built-in` or a file path).
    public var configurationSource: String
    /// Counters since start.
    public var totals: Totals
    /// Requests finished per second over the last 5 seconds.
    public var requestsPerSecond: Double
    /// The share of requests answered from the cache over the last 60 seconds, in [0, 1].
    public var recentHitRate: Double
    /// Cache hit rate per 10-second interval over the last 10 minutes, oldest first; nil where
    /// no request finished in that interval.
    public var hitRateHistory: [Double?]
    /// Requests per second per 10-second interval over the last 10 minutes, oldest first.
    public var requestRateHistory: [Double]
    /// The cache.
    public var cache: CacheSnapshot
    /// One entry per tier, in configuration order.
    public var tiers: [TierSnapshot]
    /// One entry per provider, in configuration order.
    public var providers: [ProviderSnapshot]
    /// The most recent decisions and events, newest first.
    public var activity: [ActivityEntry]
    /// The built-in traffic generator's state.
    public var traffic: TrafficStatus
    /// The router's thresholds.
    public var routerThresholds: [ComplexityRouter.Threshold]
    /// The router's strategy and recent behaviour.
    public var router = RouterStatus(strategy: "rules", recentStrongShare: 0, recentScores: [])
    /// Shared state with a fleet of replicas (disabled when the replica runs alone).
    public var sharedState = SharedStateStatus.disabled
    /// Every configured or seen tenant: limits, use, spend against budget, refusals.
    public var tenants: [TenantSnapshot] = []

    /// The router as operators see it.
    public struct RouterStatus: Sendable, Hashable, Codable {
        /// `rules` or `learned`.
        public var strategy: String
        /// The share of routed requests sent past the cheapest tier, over the last 60 seconds.
        public var recentStrongShare: Double
        /// The scores of up to the last 1,024 routed prompts, ascending, to project a new threshold.
        public var recentScores: [Double]

        /// Creates a router status.
        public init(strategy: String, recentStrongShare: Double, recentScores: [Double]) {
            self.strategy = strategy
            self.recentStrongShare = recentStrongShare
            self.recentScores = recentScores
        }

        /// The share of recent prompts a threshold of `value` would send past the cheapest tier.
        public func projectedStrongShare(threshold value: Double) -> Double? {
            guard !recentScores.isEmpty else { return nil }
            return Double(recentScores.filter { $0 > value }.count) / Double(recentScores.count)
        }
    }

    /// Counters since the engine started.
    public struct Totals: Sendable, Hashable, Codable {
        /// Requests that finished (any outcome).
        public var requests: Int
        /// Requests answered in full.
        public var completed: Int
        /// Requests that got an error and no answer.
        public var failed: Int
        /// Answers that broke off after they began.
        public var interrupted: Int
        /// Requests whose caller went away.
        public var cancelled: Int
        /// Requests being handled now.
        public var inFlight: Int
        /// Answers served by exact cache match.
        public var exactHits: Int
        /// Answers served by semantic cache match.
        public var semanticHits: Int
        /// Answers given by a provider other than the chain's first.
        public var fallbacks: Int
        /// Money spent on providers.
        public var spentUSD: Double
        /// What the same requests would have cost on the frontier tier with no cache.
        public var frontierOnlyUSD: Double
        /// Lookups where the embedder failed or timed out and the cache failed open (a miss).
        public var embedderFailures: Int

        /// Creates totals.
        public init(requests: Int = 0, completed: Int = 0, failed: Int = 0, interrupted: Int = 0, cancelled: Int = 0, inFlight: Int = 0, exactHits: Int = 0, semanticHits: Int = 0, fallbacks: Int = 0, spentUSD: Double = 0, frontierOnlyUSD: Double = 0, embedderFailures: Int = 0) {
            self.requests = requests
            self.completed = completed
            self.failed = failed
            self.interrupted = interrupted
            self.cancelled = cancelled
            self.inFlight = inFlight
            self.exactHits = exactHits
            self.semanticHits = semanticHits
            self.fallbacks = fallbacks
            self.spentUSD = spentUSD
            self.frontierOnlyUSD = frontierOnlyUSD
            self.embedderFailures = embedderFailures
        }

        /// Cache hits of both kinds.
        public var cacheHits: Int { exactHits + semanticHits }
        /// The share of requests answered from the cache, in [0, 1].
        public var hitRate: Double { requests == 0 ? 0 : Double(cacheHits) / Double(requests) }
        /// The share of the frontier-only cost saved, in [0, 1].
        public var savedFraction: Double { frontierOnlyUSD <= 0 ? 0 : max(0, 1 - spentUSD / frontierOnlyUSD) }
    }
}

/// The cache as a snapshot shows it.
public struct CacheSnapshot: Sendable, Hashable, Codable {
    /// Whether the cache is on.
    public var enabled: Bool
    /// The embedder's name (`hashing`, …).
    public var embedder: String
    /// How the embedder computes, when it has more than one way (`int8-amx`, `int8-vnni`, `avx512-bf16`, `int8-avx2`, `fp32`).
    public var embedderVariant: String?
    /// The hit rule in force, briefly (``CacheHitRule/summary``): `cosine ≥ 0.95` or
    /// `verified, false hits ≤ 1 %`; `off` without a cache.
    public var decisionRule: String
    /// Counters and sizes.
    public var statistics: SemanticCache.Statistics
    /// The entry bound.
    public var maxEntries: Int
    /// The memory bound in bytes.
    public var maxBytes: Int
    /// The latest semantic hits, newest first.
    public var recentSemanticHits: [SemanticHitSample]

    /// Creates a cache snapshot.
    public init(enabled: Bool, embedder: String, embedderVariant: String? = nil, rule: CacheHitRule?, statistics: SemanticCache.Statistics, maxEntries: Int, maxBytes: Int, recentSemanticHits: [SemanticHitSample]) {
        self.enabled = enabled
        self.embedder = embedder
        self.embedderVariant = embedderVariant
        self.decisionRule = rule?.summary ?? "off"
        self.statistics = statistics
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.recentSemanticHits = recentSemanticHits
    }
}

/// One semantic cache hit: the new prompt, the stored one it matched, and how alike they were.
public struct SemanticHitSample: Sendable, Hashable, Codable {
    /// When it happened.
    public var time: Date
    /// The tenant.
    public var tenant: String
    /// The prompt that was asked.
    public var query: String
    /// The stored prompt whose answer was served.
    public var matchedPrompt: String
    /// Their cosine similarity.
    public var similarity: Double

    /// Creates a sample.
    public init(time: Date, tenant: String, query: String, matchedPrompt: String, similarity: Double) {
        self.time = time
        self.tenant = tenant
        self.query = query
        self.matchedPrompt = matchedPrompt
        self.similarity = similarity
    }
}

/// A tier as a snapshot shows it.
public struct TierSnapshot: Sendable, Hashable, Codable {
    /// The tier's name.
    public var name: String
    /// Its providers in priority order.
    public var chain: [String]
    /// Requests routed here since start.
    public var requests: Int
    /// Requests per second over the last 5 seconds.
    public var requestsPerSecond: Double
    /// Latency over the last 30–60 seconds.
    public var recentLatency: LatencySummary
    /// Latency since start.
    public var totalLatency: LatencySummary
    /// Money spent on this tier's requests since start.
    public var spentUSD: Double = 0
    /// Requests a provider answered (not the cache), since start.
    public var providerAnswered: Int = 0

    /// The average cost of a request that reached a provider, or nil before the first.
    public var costPerProviderRequest: Double? {
        providerAnswered == 0 ? nil : spentUSD / Double(providerAnswered)
    }

    /// Creates a tier snapshot.
    public init(name: String, chain: [String], requests: Int, requestsPerSecond: Double, recentLatency: LatencySummary, totalLatency: LatencySummary) {
        self.name = name
        self.chain = chain
        self.requests = requests
        self.requestsPerSecond = requestsPerSecond
        self.recentLatency = recentLatency
        self.totalLatency = totalLatency
    }
}

/// A provider as a snapshot shows it.
public struct ProviderSnapshot: Sendable, Hashable, Codable {
    /// The provider's name.
    public var name: String
    /// The model it serves.
    public var model: String
    /// Its kind (`simulated`, …).
    public var kind: String
    /// The tiers whose chains include it.
    public var tiers: [String]
    /// Its health as operators see it.
    public var state: ProviderState
    /// The operator's override.
    public var override: ProviderOverride
    /// Why its circuit opened, while it is open or half-open.
    public var breakerReason: String?
    /// Why its active health checks are failing, while they fail.
    public var healthCheckFailure: String?
    /// When the next probe is due, while the circuit is open.
    public var nextProbeIn: Duration?
    /// Calls in progress.
    public var inFlight: Int
    /// Calls per second over the last 5 seconds.
    public var requestsPerSecond: Double
    /// The share of calls that failed over the last 60 seconds, in [0, 1].
    public var recentErrorRate: Double
    /// Latency of its calls over the last 30–60 seconds.
    public var recentLatency: LatencySummary
    /// Calls since start.
    public var attempts: Int
    /// Calls that answered.
    public var successes: Int
    /// Calls that failed.
    public var failures: Int
    /// Times its circuit opened.
    public var circuitOpens: Int
    /// Money spent on it.
    public var spentUSD: Double
    /// Who set the override and when, once one was set (on this replica or another of the fleet).
    public var overrideOrigin: OverrideChange?

    /// Creates a provider snapshot.
    public init(name: String, model: String, kind: String, tiers: [String], state: ProviderState, override: ProviderOverride, breakerReason: String?, nextProbeIn: Duration?, inFlight: Int, requestsPerSecond: Double, recentErrorRate: Double, recentLatency: LatencySummary, attempts: Int, successes: Int, failures: Int, circuitOpens: Int, spentUSD: Double) {
        self.name = name
        self.model = model
        self.kind = kind
        self.tiers = tiers
        self.state = state
        self.override = override
        self.breakerReason = breakerReason
        self.nextProbeIn = nextProbeIn
        self.inFlight = inFlight
        self.requestsPerSecond = requestsPerSecond
        self.recentErrorRate = recentErrorRate
        self.recentLatency = recentLatency
        self.attempts = attempts
        self.successes = successes
        self.failures = failures
        self.circuitOpens = circuitOpens
        self.spentUSD = spentUSD
    }
}

/// The built-in traffic generator's state.
public struct TrafficStatus: Sendable, Hashable, Codable {
    /// Whether a generator is attached to the engine.
    public var enabled: Bool
    /// The target arrival rate in requests per second.
    public var rate: Double
    /// Whether sending is paused.
    public var paused: Bool
    /// Requests sent since start.
    public var sent: Int

    /// Creates a traffic status.
    public init(enabled: Bool, rate: Double, paused: Bool, sent: Int) {
        self.enabled = enabled
        self.rate = rate
        self.paused = paused
        self.sent = sent
    }
}
