import Synchronization

/// Every provider's circuit breaker, operator override, active health check and in-flight
/// count, behind one lock.
///
/// The cascade asks it for admission before each call and reports each outcome; snapshots read
/// it. Breaker transitions are returned to the caller so that they can be logged as events. An
/// operator's override wins over everything; then a failing health check keeps the provider out;
/// then its breaker decides.
final class HealthBoard: Sendable {
    struct ProviderHealth: Sendable {
        var breaker: CircuitBreaker
        var override: ProviderOverride = .auto
        /// Why its active health checks are failing; nil while they pass (or it has none).
        var healthCheckFailure: String?
        var inFlight = 0
        /// Exponentially weighted latency of recent successful calls, in seconds.
        var recentLatency: Double?
    }

    struct View: Sendable {
        var state: ProviderState
        var override: ProviderOverride
        var reason: String?
        var healthCheckFailure: String?
        var nextProbeIn: Duration?
        var inFlight: Int
        var circuitOpens: Int
    }

    private let providers: Mutex<[String: ProviderHealth]>

    init(providerNames: [String], policy: CircuitBreaker.Policy) {
        providers = Mutex(Dictionary(uniqueKeysWithValues: providerNames.map { ($0, ProviderHealth(breaker: CircuitBreaker(policy: policy))) }))
    }

    /// Whether `provider` may be called now; an admitted call counts as in flight until `finish`.
    func admit(_ provider: String, now: ContinuousClock.Instant) -> CascadeStateMachine.Admission {
        providers.withLock { all in
            guard var health = all[provider] else { return .skipped(.forcedDown) }
            defer { all[provider] = health }
            switch health.override {
            case .forcedDown:
                return .skipped(.forcedDown)
            case .forcedUp:
                health.inFlight += 1
                return .allowed
            case .auto:
                if health.healthCheckFailure != nil { return .skipped(.healthCheckFailing) }
                switch health.breaker.admit(now: now) {
                case .allow:
                    health.inFlight += 1
                    return .allowed
                case .probe:
                    health.inFlight += 1
                    return .probe
                case .reject(let nextProbe):
                    return .skipped(.circuitOpen(probeIn: nextProbe.map { max(.zero, $0 - now) }))
                }
            }
        }
    }

    /// Records the end of an admitted call. Returns a breaker transition worth logging, if any.
    func finish(_ provider: String, failure: ProviderFailure?, cancelled: Bool, isProbe: Bool, latency: Duration = .zero, now: ContinuousClock.Instant) -> CircuitBreaker.Transition? {
        providers.withLock { all in
            guard var health = all[provider] else { return nil }
            defer { all[provider] = health }
            health.inFlight -= 1
            if failure == nil, !cancelled {
                let seconds = latency.seconds
                health.recentLatency = health.recentLatency.map { 0.8 * $0 + 0.2 * seconds } ?? seconds
            }
            if cancelled {
                if isProbe { health.breaker.abandonProbe() }
                return nil
            }
            if let failure {
                guard failure.countsAgainstHealth else {
                    if isProbe { health.breaker.abandonProbe() }
                    return nil
                }
                return health.breaker.recordFailure(failure.kind, now: now)
            }
            return health.breaker.recordSuccess(now: now)
        }
    }

    /// `chain` reordered for one request by `balance`: providers that can answer now first, ranked,
    /// then the others in chain order.
    func order(_ chain: [String], balance: TierConfiguration.Balance, weights: [String: Double], prices: [String: Double], now: ContinuousClock.Instant) -> [String] {
        guard balance != .priority, chain.count > 1 else { return chain }
        let all = providers.withLock { $0 }
        func available(_ name: String) -> Bool {
            guard let health = all[name] else { return false }
            switch (health.override, health.breaker.state) {
            case (.forcedDown, _): return false
            case (.forcedUp, _): return true
            case (.auto, _) where health.healthCheckFailure != nil: return false
            case (.auto, .closed): return true
            case (.auto, .halfOpen), (.auto, .open): return false
            }
        }
        let ready = chain.filter(available)
        let rest = chain.filter { !available($0) }
        func rank(_ name: String) -> Double {
            let weight = weights[name] ?? 1
            switch balance {
            case .priority: return 0
            case .leastLoaded: return -Double(all[name]?.inFlight ?? 0) / weight
            case .latencyWeighted:
                let latency = max(all[name]?.recentLatency ?? 0.05, 0.01)
                return weight / (latency * (1 + (prices[name] ?? 0)))
            }
        }
        let ranked = ready.enumerated().sorted { a, b in
            let ra = rank(a.element), rb = rank(b.element)
            return ra != rb ? ra > rb : a.offset < b.offset
        }.map(\.element)
        return ranked + rest
    }

    /// The first provider of `chain` that would be called now, without admitting a call.
    func firstAvailable(in chain: [String], now: ContinuousClock.Instant) -> String? {
        providers.withLock { all in
            chain.first { name in
                guard let health = all[name] else { return false }
                switch (health.override, health.breaker.state) {
                case (.forcedDown, _): return false
                case (.forcedUp, _): return true
                case (.auto, _) where health.healthCheckFailure != nil: return false
                case (.auto, .closed), (.auto, .halfOpen): return true
                case (.auto, .open(let nextProbe)): return now >= nextProbe
                }
            }
        }
    }

    func setOverride(_ provider: String, _ override: ProviderOverride) -> Bool {
        providers.withLock { all in
            guard all[provider] != nil else { return false }
            all[provider]?.override = override
            return true
        }
    }

    /// Records an active health check's verdict on `provider`. Returns whether it changed whether
    /// the provider's checks are failing (false for an unknown provider); a failing verdict's
    /// reason is kept up to date either way.
    func setHealthCheck(_ provider: String, _ result: HealthCheckResult) -> Bool {
        providers.withLock { all in
            guard let health = all[provider] else { return false }
            let failure: String? = switch result {
            case .passing: nil
            case .failing(let reason): reason
            }
            all[provider]?.healthCheckFailure = failure
            return (health.healthCheckFailure == nil) != (failure == nil)
        }
    }

    /// The override of `provider`, or nil when there is no such provider.
    func currentOverride(_ provider: String) -> ProviderOverride? {
        providers.withLock { $0[provider]?.override }
    }

    func view(now: ContinuousClock.Instant) -> [String: View] {
        let all = providers.withLock { $0 }
        return all.mapValues { health in
            var nextProbeIn: Duration?
            let state: ProviderState
            switch (health.override, health.breaker.state) {
            case (.forcedDown, _): state = .forcedDown
            case (.forcedUp, _): state = .forcedUp
            case (.auto, _) where health.healthCheckFailure != nil: state = .healthCheckFailing
            case (.auto, .open(let next)):
                state = .circuitOpen
                nextProbeIn = max(.zero, next - now)
            case (.auto, .halfOpen): state = .halfOpen
            case (.auto, .closed): state = .healthy
            }
            return View(state: state, override: health.override, reason: health.breaker.reason, healthCheckFailure: health.healthCheckFailure, nextProbeIn: nextProbeIn, inFlight: health.inFlight, circuitOpens: health.breaker.openCount)
        }
    }
}
