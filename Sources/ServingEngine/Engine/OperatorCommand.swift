/// Something an operator asks the engine to do, from the dashboard or the admin API.
public enum OperatorCommand: Sendable, Hashable {
    /// Force a provider down or up, or give it back to its circuit breaker.
    case setOverride(provider: String, ProviderOverride)
    /// Set the built-in traffic generator's rate, in requests per second.
    case setTrafficRate(Double)
    /// Pause or resume the built-in traffic generator.
    case setTrafficPaused(Bool)
    /// Drop cached answers: those of `tenant` stored for `model`; nil means every tenant or model.
    case invalidateCache(tenant: String?, model: String?)
    /// Move the boundary between the cheapest tier and the next: the operator's one trade-off
    /// number (a score, or for the learned router a probability, in [0, 1]).
    case setRouterThreshold(Double)
    /// Replace the faults a simulated provider injects (for drills and demos).
    case injectFaults(provider: String, FaultProfile)
    /// Change some of a tenant's limits (creating the tenant if unknown), or block or unblock it.
    case changeTenantLimits(tenant: String, TenantLimitsChange)
}

/// Why an operator command could not be carried out.
public struct CommandError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong and what to do about it.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
