/// The outcome of a headless simulation, in the shape `switchboard simulate --json` prints.
public struct SimulationReport: Sendable, Codable, Hashable {
    /// Requests sent by the traffic generator.
    public var requests: Int
    /// Requests answered in full.
    public var completed: Int
    /// Requests that ended with a clear error (including broken-off streams).
    public var failed: Int
    /// Requests with neither an answer nor an error. Must be 0.
    public var lost: Int
    /// Cache figures.
    public var cache: Cache
    /// Per tier.
    public var tiers: [String: Tier]
    /// Per provider.
    public var providers: [String: Provider]
    /// Requests answered by a provider other than their chain's first.
    public var fallbacks: Int
    /// Fallbacks while a failure window was open.
    public var fallbacksDuringFailures: Int
    /// Money.
    public var cost: Cost
    /// Wall-clock seconds the run took, drain included.
    public var wallSeconds: Double
    /// Per tenant: its limits' effect (requests refused before the engine by a rate limit are
    /// neither completed nor failed, and not lost either).
    public var tenants: [String: Tenant] = [:]

    /// One tenant's figures.
    public struct Tenant: Sendable, Codable, Hashable {
        /// Requests admitted under its limits.
        public var admitted: Int
        /// Refused by a rate, token or concurrency limit or a block (429 `rate_limit_exceeded`).
        public var rateLimited: Int
        /// Refused for a spent budget (429 `insufficient_quota`).
        public var budgetRefused: Int
        /// Moved by a budget step to a cheaper tier or to free providers.
        public var steered: Int
        /// Dollars spent.
        public var spentUsd: Double
        /// Its daily budget, if it has one.
        public var dailyBudgetUsd: Double?
        /// Spent (and still reserved) as a share of its most-used budget, in percent.
        public var budgetUsedPct: Double?

        enum CodingKeys: String, CodingKey {
            case admitted, steered
            case rateLimited = "rate_limited"
            case budgetRefused = "budget_refused"
            case spentUsd = "spent_usd"
            case dailyBudgetUsd = "daily_budget_usd"
            case budgetUsedPct = "budget_used_pct"
        }
    }

    /// Cache figures.
    public struct Cache: Sendable, Codable, Hashable {
        public var hits: Int
        public var exactHits: Int
        public var semanticHits: Int
        public var hitRate: Double
        public var entries: Int

        enum CodingKeys: String, CodingKey {
            case hits, entries
            case exactHits = "exact_hits"
            case semanticHits = "semantic_hits"
            case hitRate = "hit_rate"
        }
    }

    /// One tier's figures (latency of successful requests, whole run).
    public struct Tier: Sendable, Codable, Hashable {
        public var requests: Int
        public var p50Ms: Double
        public var p95Ms: Double
        public var p99Ms: Double

        enum CodingKeys: String, CodingKey {
            case requests
            case p50Ms = "p50_ms"
            case p95Ms = "p95_ms"
            case p99Ms = "p99_ms"
        }
    }

    /// One provider's figures.
    public struct Provider: Sendable, Codable, Hashable {
        public var attempts: Int
        public var successes: Int
        public var failures: Int
        public var circuitOpens: Int
        public var spentUsd: Double

        enum CodingKeys: String, CodingKey {
            case attempts, successes, failures
            case circuitOpens = "circuit_opens"
            case spentUsd = "spent_usd"
        }
    }

    /// Money spent against the frontier-only counterfactual.
    public struct Cost: Sendable, Codable, Hashable {
        public var actualUsd: Double
        public var frontierOnlyUsd: Double
        public var savedPct: Double

        enum CodingKeys: String, CodingKey {
            case actualUsd = "actual_usd"
            case frontierOnlyUsd = "frontier_only_usd"
            case savedPct = "saved_pct"
        }
    }

    enum CodingKeys: String, CodingKey {
        case requests, completed, failed, lost, cache, tiers, providers, fallbacks, cost
        case fallbacksDuringFailures = "fallbacks_during_failures"
        case wallSeconds = "wall_seconds"
        case tenants
    }
}
