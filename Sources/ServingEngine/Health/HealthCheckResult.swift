/// An active health check's verdict on a provider: an input to the ``HealthBoard`` of its own,
/// apart from operator overrides and the circuit breaker.
///
/// While a provider's checks are failing the cascade skips it (unless an operator forced it up);
/// the first passing check puts it back. A verdict is neither an operator act nor shared with the
/// fleet: every replica checks for itself.
///
/// ```swift
/// engine.recordHealthCheck("gpt-cloud", .failing("connection refused"))
/// engine.recordHealthCheck("gpt-cloud", .passing)
/// ```
package enum HealthCheckResult: Sendable, Hashable {
    /// The provider answered its check.
    case passing
    /// The provider's checks are failing, for the given reason.
    case failing(String)
}
