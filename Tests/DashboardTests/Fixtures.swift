import Dashboard
import Foundation
@testable import ServingEngine

/// Fixed engine snapshots for rendering tests: no clocks, no randomness.
enum Fixtures {
    static let base = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18 11:06:40 UTC

    static func latency(_ p50: Double, _ p95: Double, _ p99: Double, buckets: [UInt64]) -> LatencySummary {
        LatencySummary(count: buckets.reduce(0, +), p50: .milliseconds(p50), p95: .milliseconds(p95), p99: .milliseconds(p99), max: .milliseconds(p99 * 1.5), buckets: buckets)
    }

    static let smallLatency = latency(140, 290, 330, buckets: [40, 2, 0, 0, 0, 0, 12, 180, 60, 4, 0, 0, 0, 0, 0])
    static let frontierLatency = latency(620, 1700, 2400, buckets: [30, 1, 0, 0, 0, 0, 0, 2, 40, 110, 35, 6, 0, 0, 0])

    static func provider(_ name: String, model: String, tiers: [String], state: ProviderState = .healthy, override: ProviderOverride = .auto, reason: String? = nil, probe: Duration? = nil, inFlight: Int, rps: Double, errors: Double, p95: Double, spent: Double, attempts: Int) -> ProviderSnapshot {
        ProviderSnapshot(name: name, model: model, kind: "simulated", tiers: tiers, state: state, override: override, breakerReason: reason, nextProbeIn: probe, inFlight: inFlight, requestsPerSecond: rps, recentErrorRate: errors, recentLatency: latency(p95 / 2, p95, p95 * 1.3, buckets: Array(repeating: 1, count: 15)), attempts: attempts, successes: attempts - Int(Double(attempts) * errors), failures: Int(Double(attempts) * errors), circuitOpens: state == .circuitOpen ? 2 : 0, spentUSD: spent)
    }

    static let route = RouteDecision(score: 0.72, reasons: [RouteReason(feature: "code", contribution: 0.3, evidence: "\"implement\""), RouteReason(feature: "length", contribution: 0.12, evidence: "212 tokens")], tier: "frontier", method: .scored)
    static let smallRoute = RouteDecision(score: 0.12, reasons: [], tier: "small", method: .scored)

    static func decision(_ id: UInt64, seconds: Double, tenant: String, prompt: String, cache: CacheOutcome, route: RouteDecision, attempts: [ProviderAttempt], provider: String?, status: DecisionRecord.Status = .ok, latencyMs: Double, origin: RequestOrigin = .traffic) -> ActivityEntry {
        .decision(DecisionRecord(id: id, receivedAt: base.addingTimeInterval(seconds), tenant: tenant, origin: origin, promptExcerpt: prompt, cache: cache, route: route, attempts: attempts, provider: provider, status: status, usage: TokenUsage(promptTokens: 40, completionTokens: 70), costUSD: provider == nil ? 0 : 0.0012, frontierCostUSD: 0.004, latency: .milliseconds(latencyMs), timeToFirstToken: .milliseconds(latencyMs / 3)))
    }

    static func ok(_ provider: String, _ ms: Double, attempt: Int = 1) -> ProviderAttempt {
        ProviderAttempt(provider: provider, attempt: attempt, outcome: .succeeded, latency: .milliseconds(ms))
    }

    static let activity: [ActivityEntry] = headActivity + tailActivity

    static let tailActivity: [ActivityEntry] = (0..<30).map { (i: Int) -> ActivityEntry in
        let hit = i % 2 == 0
        let attempts: [ProviderAttempt] = hit ? [] : [ok("distilled-local", 150 + Double(i))]
        let cache: CacheOutcome = hit ? .exact : .miss(bestSimilarity: 0.3)
        let tenant = ["acme", "globex", "initech"][i % 3]
        return decision(UInt64(12 - min(i, 12)), seconds: 50 - Double(i), tenant: tenant, prompt: "What is the capital of country number \(i)?", cache: cache, route: smallRoute, attempts: attempts, provider: hit ? nil : "distilled-local", latencyMs: hit ? 0.3 : 152 + Double(i))
    }

    static let headActivity: [ActivityEntry] = [
        .event(EngineEvent(time: base.addingTimeInterval(60), kind: .operator, message: "finetuned-local forced down by operator")),
        decision(20, seconds: 59.8, tenant: "acme", prompt: "Implement a lock-free multi-producer queue in Rust", cache: .miss(bestSimilarity: 0.41), route: route, attempts: [ProviderAttempt(provider: "finetuned-local", attempt: 1, outcome: .skipped(.forcedDown), latency: .zero), ok("gpt-cloud", 1450)], provider: "gpt-cloud", latencyMs: 1452),
        decision(19, seconds: 59.5, tenant: "globex", prompt: "What is inflation?", cache: .exact, route: smallRoute, attempts: [], provider: nil, latencyMs: 0.4),
        decision(18, seconds: 59.1, tenant: "initech", prompt: "Give me a one line definition of photosynthesis", cache: .semantic(similarity: 0.93, matchedPrompt: "One-line definition of photosynthesis"), route: smallRoute, attempts: [], provider: nil, latencyMs: 0.7),
        decision(17, seconds: 58.7, tenant: "acme", prompt: "Prove that a copy-on-write B-tree is crash safe", cache: .miss(bestSimilarity: nil), route: route, attempts: [ProviderAttempt(provider: "finetuned-local", attempt: 1, outcome: .failed(ProviderFailure(.timeout, "no first token in 5.0 s")), latency: .seconds(5)), ProviderAttempt(provider: "finetuned-local", attempt: 2, outcome: .failed(ProviderFailure(.serverError, "HTTP 503")), latency: .milliseconds(80)), ok("gpt-cloud", 1200)], provider: "gpt-cloud", latencyMs: 6330),
        .event(EngineEvent(time: base.addingTimeInterval(58), kind: .breaker, message: "claude-cloud circuit opened: 5 failures in 10 s (server_error)")),
        decision(16, seconds: 57.9, tenant: "console", prompt: "explain the CAP theorem", cache: .bypass, route: RouteDecision(score: 0.26, reasons: [], tier: "frontier", method: .forcedTier), attempts: [ok("finetuned-local", 800)], provider: "finetuned-local", latencyMs: 803, origin: .console),
        decision(15, seconds: 57.2, tenant: "globex", prompt: "Design a multi-region failover plan for Postgres", cache: .miss(bestSimilarity: 0.55), route: route, attempts: [ProviderAttempt(provider: "finetuned-local", attempt: 1, outcome: .failed(ProviderFailure(.connection, "reset")), latency: .milliseconds(30)), ProviderAttempt(provider: "gpt-cloud", attempt: 1, outcome: .failed(ProviderFailure(.rateLimited, "429")), latency: .milliseconds(20)), ProviderAttempt(provider: "claude-cloud", attempt: 1, outcome: .skipped(.circuitOpen(probeIn: .seconds(4))), latency: .zero), ProviderAttempt(provider: "tiny-fallback", attempt: 1, outcome: .failed(ProviderFailure(.serverError, "HTTP 500")), latency: .milliseconds(12))], provider: nil, status: .failed("all providers failed"), latencyMs: 70),
        decision(14, seconds: 56.4, tenant: "acme", prompt: "Summarise this paragraph in one sentence", cache: .miss(bestSimilarity: 0.2), route: smallRoute, attempts: [ok("distilled-local", 210)], provider: "distilled-local", latencyMs: 212),
        decision(13, seconds: 55.0, tenant: "初期テナント", prompt: "日本語のプロンプトを要約してください", cache: .disabled, route: smallRoute, attempts: [ok("distilled-local", 190)], provider: "distilled-local", latencyMs: 191),
    ]

    static let hitRateHistory: [Double?] = (0..<60).map { (i: Int) -> Double? in
        i < 3 ? nil : 0.15 + 0.3 * Double(i % 10) / 10
    }

    static let snapshot = EngineSnapshot(
        takenAt: base.addingTimeInterval(61),
        uptime: .seconds(3723),
        configurationSource: "built-in",
        totals: EngineSnapshot.Totals(requests: 12_345, completed: 12_300, failed: 40, interrupted: 3, cancelled: 2, inFlight: 9, exactHits: 3_100, semanticHits: 1_450, fallbacks: 210, spentUSD: 4.5678, frontierOnlyUSD: 14.25),
        requestsPerSecond: 48.6,
        recentHitRate: 0.37,
        hitRateHistory: hitRateHistory,
        requestRateHistory: (0..<60).map { 20 + Double($0 % 7) },
        cache: CacheSnapshot(enabled: true, embedder: "hashing", rule: .threshold(0.85), statistics: .init(entries: 8_765, bytes: 18_400_000, evictions: 120, expirations: 14, insertions: 9_000), maxEntries: 100_000, maxBytes: 256 << 20, recentSemanticHits: [
            SemanticHitSample(time: base.addingTimeInterval(59), tenant: "initech", query: "Give me a one line definition of photosynthesis", matchedPrompt: "One-line definition of photosynthesis", similarity: 0.93),
            SemanticHitSample(time: base.addingTimeInterval(40), tenant: "acme", query: "Please implement consistent hashing in Go", matchedPrompt: "Implement consistent hashing in Go", similarity: 0.99),
            SemanticHitSample(time: base.addingTimeInterval(30), tenant: "globex", query: "Can you tell me what the immune system does?", matchedPrompt: "What is the immune system?", similarity: 0.87),
        ]),
        tiers: [
            TierSnapshot(name: "small", chain: ["distilled-local", "tiny-fallback"], requests: 8_000, requestsPerSecond: 31.2, recentLatency: smallLatency, totalLatency: smallLatency),
            TierSnapshot(name: "frontier", chain: ["finetuned-local", "gpt-cloud", "claude-cloud", "tiny-fallback"], requests: 4_345, requestsPerSecond: 17.4, recentLatency: frontierLatency, totalLatency: frontierLatency),
        ],
        providers: [
            provider("distilled-local", model: "distilled-8b", tiers: ["small"], inFlight: 4, rps: 19.5, errors: 0, p95: 290, spent: 0.2345, attempts: 7_000),
            provider("finetuned-local", model: "finetuned-70b", tiers: ["frontier"], state: .forcedDown, override: .forcedDown, inFlight: 0, rps: 0, errors: 0.02, p95: 1300, spent: 1.234, attempts: 3_000),
            provider("gpt-cloud", model: "gpt-4o", tiers: ["frontier"], state: .degraded, inFlight: 7, rps: 11.2, errors: 0.08, p95: 1800, spent: 2.5, attempts: 1_200),
            provider("claude-cloud", model: "claude-sonnet", tiers: ["frontier"], state: .circuitOpen, reason: "5 failures in 10 s (server_error)", probe: .milliseconds(4200), inFlight: 0, rps: 0, errors: 0.6, p95: 2600, spent: 0.5, attempts: 300),
            provider("tiny-fallback", model: "tiny-1b", tiers: ["small", "frontier"], state: .forcedUp, override: .forcedUp, inFlight: 1, rps: 0.4, errors: 0, p95: 80, spent: 0.0012, attempts: 90),
        ],
        activity: activity,
        traffic: TrafficStatus(enabled: true, rate: 50, paused: false, sent: 12_400),
        routerThresholds: [.init(tier: "small", upTo: 0.35), .init(tier: "frontier", upTo: 1)]
    )

    /// A console transcript with one finished exchange.
    static var console: ConsoleTranscript {
        var transcript = ConsoleTranscript()
        let prompt = ConsolePrompt(text: "explain the CAP theorem", tenant: "console", tier: "frontier", bypassCache: true)
        let number = transcript.begin(prompt)
        transcript.update(number) { exchange in
            exchange.answer = "The CAP theorem says a distributed store cannot be consistent, available and partition tolerant at once.\nDuring a partition it must choose between consistency and availability."
            if case .decision(let record) = activity[6] { exchange.decision = record }
            exchange.phase = .finished(.stop)
        }
        return transcript
    }

    /// The UI state for a screen size, with the second provider selected.
    static func state(width: Int, height: Int, focus keys: [DashboardKey] = []) -> DashboardState {
        var state = DashboardState(width: width, height: height)
        state.update(from: snapshot)
        _ = state.handle(.character("2"))
        for key in keys { _ = state.handle(key) }
        return state
    }

    static func frame(width: Int, height: Int, keys: [DashboardKey] = []) -> DashboardFrame {
        DashboardFrame(snapshot: snapshot, state: state(width: width, height: height, focus: keys), console: console, themeName: "default", gatewayAddress: nil, gatewayNote: "not built yet", utcOffset: 0)
    }
}
