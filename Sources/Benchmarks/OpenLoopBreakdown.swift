package import ServingEngine

/// One open-loop request: its latency from its scheduled arrival, how late its task started, and
/// the engine's own latency and cache outcome (nil when the request failed).
struct OpenLoopSample: Sendable {
    var total: Duration
    var startDelay: Duration
    var engine: Duration?
    var cache: CacheOutcome?
}

/// Where an open-loop run's latency went: the caller's lateness (a task started after its
/// scheduled arrival because no core was free) and the engine's latency per cache outcome, so a
/// tail can be told apart as the machine's, the embedder's or the engine's.
package struct OpenLoopBreakdown: Sendable {
    /// From each request's scheduled arrival to the start of its task.
    package var startDelay: LatencySummary
    /// The engine's latency (``DecisionRecord/latency``) of exact hits.
    package var exact: LatencySummary
    /// … of requests that were embedded (semantic hits and misses).
    package var embedded: LatencySummary
    /// … of requests whose lookup was refused as overload (`unavailable`).
    package var unavailable: LatencySummary

    struct Histograms {
        var startDelay = LatencyHistogram()
        var exact = LatencyHistogram()
        var embedded = LatencyHistogram()
        var unavailable = LatencyHistogram()

        mutating func record(_ sample: OpenLoopSample) {
            startDelay.record(sample.startDelay)
            guard let engine = sample.engine, let cache = sample.cache else { return }
            switch cache {
            case .exact: exact.record(engine)
            case .semantic, .miss: embedded.record(engine)
            case .unavailable: unavailable.record(engine)
            case .bypass, .disabled: break
            }
        }

        func summary() -> OpenLoopBreakdown {
            OpenLoopBreakdown(startDelay: startDelay.summary(), exact: exact.summary(), embedded: embedded.summary(), unavailable: unavailable.summary())
        }
    }
}
