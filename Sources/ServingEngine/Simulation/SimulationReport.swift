/// The outcome of a headless simulation, in the shape `switchboard simulate --json` prints.
package struct SimulationReport: Sendable, Codable, Hashable {
    /// Requests sent by the traffic generator.
    package var requests: Int
    /// Requests answered in full.
    package var completed: Int
    /// Requests that ended with a clear error (including broken-off streams).
    package var failed: Int
    /// Requests with neither an answer nor an error. Must be 0.
    package var lost: Int
    /// Cache figures.
    package var cache: Cache
    /// Per tier.
    package var tiers: [String: Tier]
    /// Per provider.
    package var providers: [String: Provider]
    /// Requests answered by a provider other than their chain's first.
    package var fallbacks: Int
    /// Fallbacks while a failure window was open.
    package var fallbacksDuringFailures: Int
    /// Money.
    package var cost: Cost
    /// Wall-clock seconds the run took, drain included.
    package var wallSeconds: Double
    /// Per tenant: its limits' effect (requests refused before the engine by a rate limit are
    /// neither completed nor failed, and not lost either).
    package var tenants: [String: Tenant] = [:]

    /// One tenant's figures.
    package struct Tenant: Sendable, Codable, Hashable {
        /// Requests admitted under its limits.
        package var admitted: Int
        /// Refused by a rate, token or concurrency limit or a block (429 `rate_limit_exceeded`).
        package var rateLimited: Int
        /// Refused for a spent budget (429 `insufficient_quota`).
        package var budgetRefused: Int
        /// Moved by a budget step to a cheaper tier or to free providers.
        package var steered: Int
        /// Dollars spent.
        package var spentUsd: Double
        /// Its daily budget, if it has one.
        package var dailyBudgetUsd: Double?
        /// Spent (and still reserved) as a share of its most-used budget, in percent.
        package var budgetUsedPct: Double?

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
    package struct Cache: Sendable, Codable, Hashable {
        package var hits: Int
        package var exactHits: Int
        package var semanticHits: Int
        package var hitRate: Double
        package var entries: Int

        enum CodingKeys: String, CodingKey {
            case hits, entries
            case exactHits = "exact_hits"
            case semanticHits = "semantic_hits"
            case hitRate = "hit_rate"
        }
    }

    /// One tier's figures (latency of successful requests, whole run).
    package struct Tier: Sendable, Codable, Hashable {
        package var requests: Int
        package var p50Ms: Double
        package var p95Ms: Double
        package var p99Ms: Double

        enum CodingKeys: String, CodingKey {
            case requests
            case p50Ms = "p50_ms"
            case p95Ms = "p95_ms"
            case p99Ms = "p99_ms"
        }
    }

    /// One provider's figures.
    package struct Provider: Sendable, Codable, Hashable {
        package var attempts: Int
        package var successes: Int
        package var failures: Int
        package var circuitOpens: Int
        package var spentUsd: Double

        enum CodingKeys: String, CodingKey {
            case attempts, successes, failures
            case circuitOpens = "circuit_opens"
            case spentUsd = "spent_usd"
        }
    }

    /// Money spent against the frontier-only counterfactual.
    package struct Cost: Sendable, Codable, Hashable {
        package var actualUsd: Double
        package var frontierOnlyUsd: Double
        package var savedPct: Double

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
