import DequeModule
import Foundation
import Synchronization

/// Counters, rates, HDR latency histograms and the bounded activity log, behind one lock.
///
/// Recording a decision takes the lock once for a few counter updates and histogram records;
/// ``parts(now:)`` copies what a snapshot needs (histogram storage is copy-on-write, so the copy
/// is cheap under the lock) and the percentiles are computed outside it.
final class MetricsRecorder: Sendable {
    static let activityCapacity = 300
    static let semanticHitCapacity = 20

    enum Channel {
        static let requests = 0
        static let hits = 1
        static let failures = 2
    }

    struct TierState: Sendable {
        var requests = 0
        var spentUSD = 0.0
        var providerAnswered = 0
        var latency: WindowedLatency
        var rate = RollingCounts(channels: 1, span: 120)

        mutating func record(_ record: DecisionRecord, second: Int64, now: ContinuousClock.Instant) {
            requests += 1
            spentUSD += record.costUSD
            if record.provider != nil { providerAnswered += 1 }
            rate.add(channel: 0, second: second)
            if record.status.isSuccess { latency.record(record.latency, now: now) }
        }
    }

    struct ProviderState: Sendable {
        var attempts = 0
        var successes = 0
        var failures = 0
        var spentUSD = 0.0
        var latency: WindowedLatency
        var rate = RollingCounts(channels: 3, span: 120)

        mutating func record(_ attempt: ProviderAttempt, cost: Double, second: Int64, now: ContinuousClock.Instant) {
            attempts += 1
            rate.add(channel: Channel.requests, second: second)
            switch attempt.outcome {
            case .succeeded:
                successes += 1
                latency.record(attempt.latency, now: now)
            case .failed:
                failures += 1
                rate.add(channel: Channel.failures, second: second)
            case .skipped:
                break
            }
            spentUSD += cost
        }
    }

    struct State: Sendable {
        var totals = EngineSnapshot.Totals()
        var global = RollingCounts(channels: 3, span: 660)
        var tiers: [String: TierState]
        var providers: [String: ProviderState]
        var activity = Deque<ActivityEntry>()
        var semanticHits = Deque<SemanticHitSample>()
        var nextID: UInt64 = 1
    }

    struct Parts: Sendable {
        var totals: EngineSnapshot.Totals
        var global: RollingCounts
        var tiers: [String: (requests: Int, recent: LatencyHistogram, total: LatencyHistogram, rate: RollingCounts, spentUSD: Double, providerAnswered: Int)]
        var providers: [String: ProviderState]
        var activity: Deque<ActivityEntry>
        var semanticHits: Deque<SemanticHitSample>
    }

    let started: ContinuousClock.Instant
    private let state: Mutex<State>

    init(tiers: [String], providers: [String], now: ContinuousClock.Instant) {
        started = now
        state = Mutex(State(
            tiers: Dictionary(uniqueKeysWithValues: tiers.map { ($0, TierState(latency: WindowedLatency(now: now))) }),
            providers: Dictionary(uniqueKeysWithValues: providers.map { ($0, ProviderState(latency: WindowedLatency(now: now))) })
        ))
    }

    func second(_ now: ContinuousClock.Instant) -> Int64 {
        (now - started).components.seconds
    }

    func nextRequestID() -> UInt64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    func requestStarted() {
        state.withLock { $0.totals.inFlight += 1 }
    }

    /// Records one provider call's end (success or failure, not skips).
    func recordAttempt(_ attempt: ProviderAttempt, cost: Double, now: ContinuousClock.Instant) {
        if case .skipped = attempt.outcome { return }
        let second = second(now)
        state.withLock { state in
            // Mutated in place through the dictionary: a copy out and back would copy the
            // provider's histograms (tens of kilobytes) on every attempt.
            state.providers[attempt.provider]?.record(attempt, cost: cost, second: second, now: now)
        }
    }

    /// Records a finished request.
    func recordDecision(_ record: DecisionRecord, now: ContinuousClock.Instant) {
        // Every request ends in exactly one recorded decision: that is where the tenant pass its
        // caller admitted it under (if any) settles, with the tokens and cost recorded.
        if let pass = TenantPass.current, pass.tenant == record.tenant { pass.settle(record) }
        let second = second(now)
        state.withLock { state in
            state.totals.inFlight -= 1
            state.totals.requests += 1
            state.global.add(channel: Channel.requests, second: second)
            switch record.status {
            case .ok: state.totals.completed += 1
            case .failed: state.totals.failed += 1
            case .interrupted: state.totals.interrupted += 1
            case .cancelled: state.totals.cancelled += 1
            }
            if !record.status.isSuccess { state.global.add(channel: Channel.failures, second: second) }
            switch record.cache {
            case .exact:
                state.totals.exactHits += 1
                state.global.add(channel: Channel.hits, second: second)
            case .semantic(let similarity, let matched):
                state.totals.semanticHits += 1
                state.global.add(channel: Channel.hits, second: second)
                state.semanticHits.prepend(SemanticHitSample(time: record.receivedAt, tenant: record.tenant, query: record.promptExcerpt, matchedPrompt: matched, similarity: similarity))
                if state.semanticHits.count > Self.semanticHitCapacity { state.semanticHits.removeLast() }
            case .unavailable:
                state.totals.embedderFailures += 1
            default:
                break
            }
            if record.isFallback { state.totals.fallbacks += 1 }
            state.totals.spentUSD += record.costUSD
            state.totals.frontierOnlyUSD += record.frontierCostUSD
            state.tiers[record.route.tier]?.record(record, second: second, now: now)
            state.activity.prepend(.decision(record))
            if state.activity.count > Self.activityCapacity { state.activity.removeLast() }
        }
    }

    func recordEvent(_ event: EngineEvent) {
        state.withLock { state in
            state.activity.prepend(.event(event))
            if state.activity.count > Self.activityCapacity { state.activity.removeLast() }
        }
    }

    func parts(now: ContinuousClock.Instant) -> Parts {
        state.withLock { state in
            for key in state.tiers.keys { state.tiers[key]?.latency.rotate(now: now) }
            for key in state.providers.keys { state.providers[key]?.latency.rotate(now: now) }
            return Parts(
                totals: state.totals,
                global: state.global,
                tiers: state.tiers.mapValues { ($0.requests, $0.latency.recent, $0.latency.total, $0.rate, $0.spentUSD, $0.providerAnswered) },
                providers: state.providers,
                activity: state.activity,
                semanticHits: state.semanticHits
            )
        }
    }
}
