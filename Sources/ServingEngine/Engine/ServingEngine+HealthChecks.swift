extension ServingEngine {
    /// Records an active health check's verdict on `provider` (see ``HealthCheckResult``).
    ///
    /// A change is logged as a health event; it is not an operator act and is not published to
    /// the fleet, and an operator's override still wins over it.
    ///
    /// - Returns: whether the verdict changed the provider's health-check state (false also for
    ///   an unknown provider).
    @discardableResult
    package func recordHealthCheck(_ provider: String, _ result: HealthCheckResult) -> Bool {
        guard health.setHealthCheck(provider, result) else { return false }
        let message = switch result {
        case .failing(let reason): "\(provider) health check failing: \(reason); out of the cascade until a check passes"
        case .passing: "\(provider) health check passing again: back in the cascade"
        }
        metrics.recordEvent(EngineEvent(kind: .health, message: message))
        return true
    }
}
