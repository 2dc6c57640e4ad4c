/// One provider the cascade tried or skipped for a request, and what came of it.
public struct ProviderAttempt: Sendable, Hashable, Codable {
    /// The provider's name.
    public var provider: String
    /// Which call to this provider it was, from 1.
    public var attempt: Int
    /// What happened.
    public var outcome: Outcome
    /// How long the call took (zero when skipped).
    public var latency: Duration

    /// What happened to one attempt.
    public enum Outcome: Sendable, Hashable, Codable {
        /// The provider answered.
        case succeeded
        /// The call failed.
        case failed(ProviderFailure)
        /// The provider was not called.
        case skipped(SkipReason)
    }

    /// Creates an attempt record.
    public init(provider: String, attempt: Int, outcome: Outcome, latency: Duration) {
        self.provider = provider
        self.attempt = attempt
        self.outcome = outcome
        self.latency = latency
    }

    /// A short human description, e.g. `gpt-cloud#1 timeout (2.0 s)`.
    public var summary: String {
        switch outcome {
        case .succeeded: "\(provider)#\(attempt) ok (\(DurationFormat.short(latency)))"
        case .failed(let failure): "\(provider)#\(attempt) \(failure.kind.rawValue) (\(DurationFormat.short(latency)))"
        case .skipped(let reason): "\(provider) skipped: \(reason)"
        }
    }
}

/// Why the cascade did not call a provider.
public enum SkipReason: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The operator forced it down.
    case forcedDown
    /// Its active health checks are failing.
    case healthCheckFailing
    /// Its circuit is open; the next probe is due in the given time (nil while a probe runs).
    case circuitOpen(probeIn: Duration?)
    /// It cannot do what the request needs (declared in its `capabilities`).
    case lacksCapability(ProviderCapability)

    public var description: String {
        switch self {
        case .forcedDown: "forced down"
        case .healthCheckFailing: "health check failing"
        case .circuitOpen(let probeIn?): "circuit open, next probe in \(DurationFormat.short(probeIn))"
        case .circuitOpen(nil): "circuit half-open, probe in flight"
        case .lacksCapability(let capability): "no \(capability)"
        }
    }
}
