import Foundation

/// Carries out ``OperatorCommand``s against the parts of an engine they change: provider
/// overrides, the traffic generator, the cache, the router's threshold, simulated faults and
/// tenant limits. Each command returns what was done, in words, and is logged as an operator
/// event; what the fleet shares (overrides, invalidations, tenant limits) is published.
///
/// ``ServingEngine/perform(_:)`` is its entry point:
///
/// ```swift
/// let message = try engine.perform(.setTrafficRate(50)) // "traffic rate set to 50 req/s"
/// ```
struct OperatorCommandHandler: Sendable {
    let configuration: EngineConfiguration
    let providers: [String: any ModelProvider]
    let health: HealthBoard
    let traffic: TrafficControl
    let cache: SemanticCache?
    let router: RequestRouter
    let tenants: TenantLimiter
    let metrics: MetricsRecorder
    let shared: SharedStateHub

    /// Carries out `command` and returns what was done, in words.
    ///
    /// - Parameters:
    ///   - command: what the operator asked for.
    ///   - snapshot: the engine's state now (without activity), for the cost effect of a router
    ///     threshold change.
    func perform(_ command: OperatorCommand, snapshot: () -> EngineSnapshot) throws(CommandError) -> String {
        let message: String
        switch command {
        case .setOverride(let provider, let override):
            guard health.setOverride(provider, override) else {
                throw CommandError("no provider named '\(provider)'; known providers: \(configuration.providers.map(\.name).joined(separator: ", "))")
            }
            shared.localOverride(provider, override)
            message = switch override {
            case .forcedDown: "\(provider) forced down by operator"
            case .forcedUp: "\(provider) forced up by operator"
            case .auto: "\(provider) returned to automatic health"
            }
        case .setTrafficRate(let rate):
            guard rate.isFinite, rate >= 0, rate <= 100_000 else {
                throw CommandError("traffic rate must be between 0 and 100000 requests per second, got \(rate)")
            }
            traffic.setRate(rate)
            message = "traffic rate set to \(Self.formatRate(rate)) req/s"
        case .setTrafficPaused(let paused):
            traffic.setPaused(paused)
            message = paused ? "traffic paused" : "traffic resumed"
        case .invalidateCache(let tenant, let model):
            let removed = cache?.invalidate(tenant: tenant, model: model) ?? 0
            shared.publish(.cacheInvalidated(tenant: tenant, model: model))
            let models = model.map { ", model \($0)" } ?? ""
            message = "cache invalidated for \(tenant.map { "tenant \($0)" } ?? "all tenants")\(models): \(removed) entries removed"
        case .setRouterThreshold(let value):
            guard value.isFinite, (0...1).contains(value), router.thresholds.count > 1 else {
                throw CommandError(router.thresholds.count > 1 ? "the router threshold must be between 0 and 1, got \(value)" : "the router has a single tier; there is no threshold to move")
            }
            let before = Self.share(of: router.recentScores, above: router.thresholds[0].upTo)
            router.setLowestThreshold(value)
            let after = Self.share(of: router.recentScores, above: value)
            message = "router threshold set to \(value)" + (after.map { "; recent traffic would send \(Int(($0 * 100).rounded())) % to the stronger tiers" } ?? "")
                + (before.flatMap { before in after.flatMap { costEffect(shareChange: $0 - before, snapshot: snapshot()) } } ?? "")
        case .injectFaults(let name, let faults):
            guard let provider = providers[name] else { throw CommandError("no provider named '\(name)'") }
            guard let injectable = provider as? any FaultInjectable else {
                throw CommandError("\(name) is not simulated; faults can only be injected into simulated providers")
            }
            guard (0...1).contains(faults.errorRate), faults.slowdown >= 0 else {
                throw CommandError("the error rate must be between 0 and 1 and the slowdown at least 0")
            }
            injectable.setFaults(faults)
            message = faults.errorRate == 0 && faults.slowdown == 1
                ? "\(name): injected faults cleared"
                : "\(name): injecting \(Int((faults.errorRate * 100).rounded())) % \(faults.kinds.map(\.rawValue).joined(separator: "/")) faults, \(faults.slowdown)× latency"
        case .changeTenantLimits(let tenant, let change):
            message = try changeTenantLimits(tenant, change)
        }
        metrics.recordEvent(EngineEvent(kind: .operator, message: message))
        return message
    }

    /// The expected change in spend per hour at the current request rate when `shareChange` of
    /// the provider-answered requests move from the cheapest tier to the next, from the average
    /// cost per request each tier has had so far.
    func costEffect(shareChange: Double, snapshot: EngineSnapshot) -> String? {
        let thresholds = router.thresholds
        guard thresholds.count > 1,
              let small = snapshot.tiers.first(where: { $0.name == thresholds[0].tier })?.costPerProviderRequest,
              let strong = snapshot.tiers.first(where: { $0.name == thresholds[1].tier })?.costPerProviderRequest
        else { return nil }
        let perHour = shareChange * (strong - small) * snapshot.requestsPerSecond * (1 - snapshot.recentHitRate) * 3600
        return String(format: " (about %@$%.2f an hour at the current rate)", perHour >= 0 ? "+" : "−", abs(perHour))
    }

    /// The share of `scores` above `threshold`, or nil when there are none.
    static func share(of scores: [Double], above threshold: Double) -> Double? {
        scores.isEmpty ? nil : Double(scores.filter { $0 > threshold }.count) / Double(scores.count)
    }

    static func formatRate(_ rate: Double) -> String {
        rate == rate.rounded() ? String(Int(rate)) : String(format: "%.1f", rate)
    }
}
