import CoreMetrics
import Foundation
package import Prometheus
import ServingEngine
import Synchronization

/// The gateway's Prometheus metrics, recorded through swift-metrics into a registry the gateway
/// owns (no global bootstrap), and rendered for `GET /metrics`.
///
/// Families: `switchboard_requests_total{tier,cache,status}`, `switchboard_cache_hits_total{kind}`,
/// `switchboard_fallbacks_total{tier}`, `switchboard_errors_total{kind}`,
/// `switchboard_provider_failures_total{provider,kind}`, `switchboard_request_duration_seconds{tier}`,
/// `switchboard_provider_duration_seconds{provider}`, `switchboard_overhead_seconds`,
/// `switchboard_spend_usd_total{provider}`, `switchboard_http_responses_total{route,status}`,
/// `switchboard_cache_embedder_failures_total` (lookups that failed open because the embedder failed).
package final class GatewayMetrics: Sendable {
    /// The registry the metrics live in.
    package let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let spend = Mutex<[String: FloatingPointCounter]>([:])
    private let timers = Mutex<[String: CoreMetrics.Timer]>([:])
    private let embedderFailures: CoreMetrics.Counter
    private let exportedEmbedderFailures = Mutex(0)

    /// Creates metrics over `registry` (a fresh one by default).
    package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        let latencyBuckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30)]
        factory.defaultDurationHistogramBuckets = latencyBuckets
        factory.durationHistogramBuckets["switchboard_overhead_seconds"] = [.microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(50)]
        self.factory = factory
        embedderFailures = CoreMetrics.Counter(label: "switchboard_cache_embedder_failures_total", dimensions: [], factory: factory)
    }

    /// Brings the embedder-failure counter up to the engine's total (read when metrics are
    /// scraped, so failed requests, which have no response decision, are counted too).
    func syncEmbedderFailures(_ total: Int) {
        let delta = exportedEmbedderFailures.withLock { exported in
            defer { exported = max(exported, total) }
            return total - exported
        }
        if delta > 0 { embedderFailures.increment(by: delta) }
    }

    /// Records one finished request from its decision record.
    func record(_ decision: DecisionRecord) {
        let status: String = switch decision.status {
        case .ok: "ok"
        case .failed: "failed"
        case .interrupted: "interrupted"
        case .cancelled: "cancelled"
        }
        increment("switchboard_requests_total", [("tier", decision.route.tier), ("cache", decision.cache.label), ("status", status)])
        switch decision.cache {
        case .exact: increment("switchboard_cache_hits_total", [("kind", "exact")])
        case .semantic: increment("switchboard_cache_hits_total", [("kind", "semantic")])
        default: break
        }
        if decision.isFallback { increment("switchboard_fallbacks_total", [("tier", decision.route.tier)]) }
        var providerTime = Duration.zero
        for attempt in decision.attempts {
            providerTime += attempt.latency
            switch attempt.outcome {
            case .succeeded:
                time("switchboard_provider_duration_seconds", [("provider", attempt.provider)], attempt.latency)
            case .failed(let failure):
                time("switchboard_provider_duration_seconds", [("provider", attempt.provider)], attempt.latency)
                increment("switchboard_provider_failures_total", [("provider", attempt.provider), ("kind", failure.kind.rawValue)])
            case .skipped:
                break
            }
        }
        time("switchboard_request_duration_seconds", [("tier", decision.route.tier)], decision.latency)
        time("switchboard_overhead_seconds", [], max(.zero, decision.latency - providerTime))
        if decision.costUSD > 0, let provider = decision.provider {
            let counter = spend.withLock { counters in
                if let existing = counters[provider] { return existing }
                let made = FloatingPointCounter(label: "switchboard_spend_usd_total", dimensions: [("provider", provider)], factory: factory)
                counters[provider] = made
                return made
            }
            counter.increment(by: decision.costUSD)
        }
    }

    /// Records a request-level error by kind (engine codes, and the gateway's own: `bad_request`,
    /// `unauthorized`, `body_too_large`).
    func recordError(kind: String) {
        increment("switchboard_errors_total", [("kind", kind)])
    }

    /// Records a failed provider call of a request that got no answer.
    func recordProviderFailure(provider: String, kind: String, latency: Duration) {
        time("switchboard_provider_duration_seconds", [("provider", provider)], latency)
        increment("switchboard_provider_failures_total", [("provider", provider), ("kind", kind)])
    }

    /// Records one HTTP response.
    func recordResponse(route: String, status: Int) {
        increment("switchboard_http_responses_total", [("route", route), ("status", String(status))])
    }

    /// The metrics in Prometheus text format.
    package func render() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16_384)
        registry.emit(into: &buffer)
        return buffer
    }

    private func increment(_ label: String, _ dimensions: [(String, String)]) {
        let key = Self.key(label, dimensions)
        let counter = counters.withLock { counters in
            if let existing = counters[key] { return existing }
            let made = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = made
            return made
        }
        counter.increment()
    }

    private func time(_ label: String, _ dimensions: [(String, String)], _ duration: Duration) {
        let key = Self.key(label, dimensions)
        let timer = timers.withLock { timers in
            if let existing = timers[key] { return existing }
            let made = CoreMetrics.Timer(label: label, dimensions: dimensions, factory: factory)
            timers[key] = made
            return made
        }
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        timer.recordNanoseconds(nanoseconds)
    }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        dimensions.reduce(label) { $0 + "|" + $1.0 + "=" + $1.1 }
    }
}
