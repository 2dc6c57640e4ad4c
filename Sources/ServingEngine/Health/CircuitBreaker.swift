/// A per-provider circuit breaker as a pure state machine: no clock, no I/O.
///
/// Closed, it counts health failures in a sliding window; `failureThreshold` of them open it.
/// Open, it rejects calls until its cool-down ends, then lets `halfOpenProbes` calls through.
/// A successful probe closes it; a failed probe re-opens it with a doubled cool-down (capped),
/// so a provider that stays down is probed less and less often. Every state carries the reason
/// an operator needs: which failures, how many, and when the next probe is due.
public struct CircuitBreaker: Sendable {
    /// How sensitive the breaker is.
    public struct Policy: Sendable, Hashable {
        /// Failures within `window` that open the circuit.
        public var failureThreshold: Int
        /// How far back failures count.
        public var window: Duration
        /// How long the circuit stays open before the first probe.
        public var coolDown: Duration
        /// The longest cool-down after repeated failed probes.
        public var maxCoolDown: Duration
        /// How many probe calls may run at once while half-open.
        public var halfOpenProbes: Int

        /// Creates a policy.
        public init(
            failureThreshold: Int = 5,
            window: Duration = .seconds(10),
            coolDown: Duration = .seconds(5),
            maxCoolDown: Duration = .seconds(60),
            halfOpenProbes: Int = 1
        ) {
            self.failureThreshold = failureThreshold
            self.window = window
            self.coolDown = coolDown
            self.maxCoolDown = maxCoolDown
            self.halfOpenProbes = halfOpenProbes
        }
    }

    /// The breaker's state.
    public enum State: Sendable, Hashable {
        /// Calls flow; recent failures are being counted.
        case closed
        /// Calls are refused until `nextProbe`.
        case open(nextProbe: ContinuousClock.Instant)
        /// A few probe calls are allowed to find out whether the provider is back.
        case halfOpen
    }

    /// What the breaker says about one call.
    public enum Admission: Sendable, Hashable {
        /// The call may go ahead.
        case allow
        /// The call may go ahead as a probe; its outcome decides the circuit.
        case probe
        /// The call is refused; the next probe is due at the given instant (nil while probes run).
        case reject(nextProbe: ContinuousClock.Instant?)
    }

    /// A change of state worth telling the operator about.
    public enum Transition: Sendable, Hashable {
        /// The circuit opened (or re-opened after a failed probe), for this reason.
        case opened(reason: String)
        /// A probe succeeded and the circuit closed.
        case closed
    }

    /// The policy in force.
    public let policy: Policy
    /// The current state.
    public private(set) var state: State = .closed
    /// Why the circuit last opened (kept while open and half-open, cleared when it closes).
    public private(set) var reason: String?
    /// How many times the circuit has opened since start.
    public private(set) var openCount = 0

    private var recentFailures: [(at: ContinuousClock.Instant, kind: ProviderFailure.Kind)] = []
    private var probesInFlight = 0
    private var currentCoolDown: Duration

    /// Creates a closed breaker.
    public init(policy: Policy = Policy()) {
        self.policy = policy
        self.currentCoolDown = policy.coolDown
    }

    /// Asks whether a call may start now; moves an open circuit whose cool-down is over to half-open.
    public mutating func admit(now: ContinuousClock.Instant) -> Admission {
        switch state {
        case .closed:
            return .allow
        case .open(let nextProbe):
            guard now >= nextProbe else { return .reject(nextProbe: nextProbe) }
            state = .halfOpen
            probesInFlight = 1
            return .probe
        case .halfOpen:
            guard probesInFlight < policy.halfOpenProbes else { return .reject(nextProbe: nil) }
            probesInFlight += 1
            return .probe
        }
    }

    /// Records a successful call. Returns `.closed` when a probe closed the circuit.
    public mutating func recordSuccess(now: ContinuousClock.Instant) -> Transition? {
        switch state {
        case .closed:
            prune(now: now)
            return nil
        case .halfOpen:
            state = .closed
            reason = nil
            recentFailures.removeAll()
            probesInFlight = 0
            currentCoolDown = policy.coolDown
            return .closed
        case .open:
            // A call admitted before the circuit opened finished well; it does not close it.
            return nil
        }
    }

    /// Records a failed call. Returns `.opened` when this failure opened (or re-opened) the circuit.
    public mutating func recordFailure(_ kind: ProviderFailure.Kind, now: ContinuousClock.Instant) -> Transition? {
        switch state {
        case .closed:
            recentFailures.append((now, kind))
            prune(now: now)
            guard recentFailures.count >= policy.failureThreshold else { return nil }
            let why = "\(recentFailures.count) failures in \(DurationFormat.short(policy.window)): \(summary())"
            return open(now: now, reason: why)
        case .halfOpen:
            currentCoolDown = min(currentCoolDown * 2, policy.maxCoolDown)
            return open(now: now, reason: "probe failed (\(kind.rawValue)); \(reason ?? "")")
        case .open:
            return nil
        }
    }

    /// Records that an admitted probe ended without an outcome (for example, it was cancelled).
    public mutating func abandonProbe() {
        if case .halfOpen = state, probesInFlight > 0 { probesInFlight -= 1 }
    }

    /// Failures counted in the current window.
    public var recentFailureCount: Int { recentFailures.count }

    private mutating func open(now: ContinuousClock.Instant, reason: String) -> Transition {
        state = .open(nextProbe: now + currentCoolDown)
        self.reason = reason
        probesInFlight = 0
        openCount += 1
        recentFailures.removeAll()
        return .opened(reason: reason)
    }

    private mutating func prune(now: ContinuousClock.Instant) {
        let horizon = now - policy.window
        recentFailures.removeAll { $0.at < horizon }
    }

    private func summary() -> String {
        var counts: [ProviderFailure.Kind: Int] = [:]
        for failure in recentFailures { counts[failure.kind, default: 0] += 1 }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.value)× \($0.key.rawValue)" }
            .joined(separator: ", ")
    }
}
