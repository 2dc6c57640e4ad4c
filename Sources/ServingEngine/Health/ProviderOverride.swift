/// An operator's manual override of a provider's health.
public enum ProviderOverride: String, Sendable, Hashable, Codable, CaseIterable {
    /// The circuit breaker decides.
    case auto
    /// Never call this provider; the cascade skips it.
    case forcedDown = "forced-down"
    /// Always call this provider, even while its circuit is open.
    case forcedUp = "forced-up"
}

/// A provider's health as operators see it.
public enum ProviderState: String, Sendable, Hashable, Codable {
    /// Answering normally.
    case healthy
    /// Answering, but recent calls failed.
    case degraded
    /// The circuit is open: calls are refused until the next probe.
    case circuitOpen = "circuit-open"
    /// Probe calls are finding out whether the provider is back.
    case halfOpen = "half-open"
    /// The operator took it out of service.
    case forcedDown = "forced-down"
    /// The operator keeps it in service whatever its breaker says.
    case forcedUp = "forced-up"
    /// Its active health checks are failing: calls are refused until a check passes.
    case healthCheckFailing = "health-check-failing"

    /// Whether a request could be sent to a provider in this state.
    public var canAnswer: Bool {
        switch self {
        case .healthy, .degraded, .halfOpen, .forcedUp: true
        case .circuitOpen, .forcedDown, .healthCheckFailing: false
        }
    }
}
