/// The faults `switchboard drill` injects, one scenario each, selectable by name.
///
/// Each runs its load for the drill's duration; the fault starts at a quarter of it and, where
/// the scenario says "then back", ends at three quarters, so every scenario shows the way in,
/// the fault and (mostly) the way out.
package enum DrillScenario: String, Sendable, CaseIterable {
    /// The primary provider's listener stops (connection refused), then comes back.
    case providerDown = "provider-down"
    /// The primary answers 429 with `Retry-After: 1`.
    case rateLimitStorm = "rate-limit-storm"
    /// The primary answers 500 to 30 % of calls.
    case serverErrors = "server-errors"
    /// The primary answers after longer than the provider timeout.
    case slowResponses = "slow-responses"
    /// The primary's streams break before their first token.
    case streamCutEarly = "stream-cut-early"
    /// The primary's streams break after some tokens (callers must get an explicit error).
    case streamCutMidway = "stream-cut-midway"
    /// The primary answers 200 with garbage or truncated JSON.
    case garbageBodies = "garbage-bodies"
    /// The operator forces down every provider of the tier (admin API): the tertiary fallback answers.
    case operatorTierDown = "operator-tier-down"
    /// Every provider refuses connections: callers must get a fast, clear 502/503.
    case allDown = "all-down"
    /// The remote embedder's endpoint never answers: the cache must fail open within its timeout.
    case embedderStall = "embedder-stall"
    /// `switchboard serve` gets SIGTERM under load: in-flight requests finish, new ones are refused.
    case sigtermDrain = "sigterm-drain"
    /// `switchboard serve` gets SIGKILL under load and is restarted on the same cache file.
    case sigkillRestart = "sigkill-restart"

    /// One line for `--help` and the report.
    package var summary: String {
        switch self {
        case .providerDown: "primary refuses connections, then comes back"
        case .rateLimitStorm: "primary answers 429 with Retry-After"
        case .serverErrors: "primary answers 500 to 30 % of calls"
        case .slowResponses: "primary answers slower than its timeout"
        case .streamCutEarly: "primary streams break before the first token"
        case .streamCutMidway: "primary streams break after some tokens"
        case .garbageBodies: "primary answers garbage and truncated JSON"
        case .operatorTierDown: "operator forces down the tier's providers"
        case .allDown: "every provider refuses connections"
        case .embedderStall: "the embeddings endpoint never answers"
        case .sigtermDrain: "SIGTERM to `switchboard serve` under load"
        case .sigkillRestart: "SIGKILL to `switchboard serve` under load, then a restart"
        }
    }

    /// Whether it needs a child `switchboard serve` process.
    var needsChildProcess: Bool { self == .sigtermDrain || self == .sigkillRestart }
}
