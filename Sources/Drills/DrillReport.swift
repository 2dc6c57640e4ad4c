import Foundation
import Measuring
import ServingEngine

/// The figures of one drill scenario, and whether it passed.
package struct DrillScenarioReport: Sendable, Hashable, Codable {
    /// The scenario's name.
    package var scenario: String
    /// Requests the clients sent.
    package var sent: Int
    /// Requests that got a complete answer.
    package var answered: Int
    /// Answers from a provider other than the chain's first (and not from the cache).
    package var answeredByFallback: Int
    /// Answers from the cache.
    package var answeredFromCache: Int
    /// Requests that got a clear error (OpenAI-style JSON error, or an SSE error event).
    package var failedClearly: Int
    /// Requests turned away cleanly while the drill had stopped the gateway on purpose.
    package var refused: Int
    /// Requests that got neither an answer nor an error. Must be 0.
    package var lost: Int
    /// Requests still running at the client's deadline. Must be 0.
    package var hung: Int
    /// Median client-seen latency of all finished requests, in milliseconds.
    package var p50Milliseconds: Double
    /// 99th percentile, in milliseconds.
    package var p99Milliseconds: Double
    /// Scenario-specific checks (the cascade reached the fallback, the drain finished in time…).
    package var checks: [Check]
    /// Examples of lost requests, for diagnosis (at most a few).
    package var lostExamples: [String]
    /// Examples of the clear errors clients got (status and message, at most a few).
    package var errorExamples: [String] = []
    /// Whether lost and hung are 0 and every check passed.
    package var ok: Bool { lost == 0 && hung == 0 && checks.allSatisfy(\.passed) }

    /// One scenario-specific expectation.
    package struct Check: Sendable, Hashable, Codable {
        /// What was expected.
        package var name: String
        /// Whether it held.
        package var passed: Bool
        /// What was seen.
        package var detail: String

        /// Creates a check.
        package init(_ name: String, _ passed: Bool, _ detail: String) {
            self.name = name
            self.passed = passed
            self.detail = detail
        }
    }

    enum CodingKeys: String, CodingKey {
        case scenario, sent, answered, answeredByFallback = "answered_by_fallback", answeredFromCache = "answered_from_cache"
        case failedClearly = "failed_clearly", refused, lost, hung, p50Milliseconds = "p50_ms", p99Milliseconds = "p99_ms"
        case checks, lostExamples = "lost_examples", errorExamples = "error_examples", ok
    }

    /// Aggregates judged requests. `primary` is the provider a healthy chain answers with.
    package init(scenario: String, results: [(outcome: DrillOutcome, latency: Duration)], primary: String, checks: [Check] = []) {
        self.scenario = scenario
        sent = results.count
        var answered = 0, fallback = 0, cached = 0, failed = 0, refused = 0, lost = 0, hung = 0
        var examples: [String] = []
        for result in results {
            switch result.outcome {
            case .answered(let provider):
                answered += 1
                if provider == "cache" { cached += 1 } else if provider != primary { fallback += 1 }
            case .failedClearly: failed += 1
            case .refused: refused += 1
            case .lost(let reason):
                lost += 1
                if examples.count < 5, !examples.contains(reason) { examples.append(reason) }
            case .hung: hung += 1
            }
        }
        self.answered = answered
        answeredByFallback = fallback
        answeredFromCache = cached
        failedClearly = failed
        self.refused = refused
        self.lost = lost
        self.hung = hung
        lostExamples = examples
        let latencies = results.filter { $0.outcome != .hung }.map(\.latency).sorted()
        p50Milliseconds = (Percentile.of(sorted: latencies, 0.50)?.milliseconds ?? 0)
        p99Milliseconds = (Percentile.of(sorted: latencies, 0.99)?.milliseconds ?? 0)
        self.checks = checks
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scenario = try container.decode(String.self, forKey: .scenario)
        sent = try container.decode(Int.self, forKey: .sent)
        answered = try container.decode(Int.self, forKey: .answered)
        answeredByFallback = try container.decode(Int.self, forKey: .answeredByFallback)
        answeredFromCache = try container.decode(Int.self, forKey: .answeredFromCache)
        failedClearly = try container.decode(Int.self, forKey: .failedClearly)
        refused = try container.decode(Int.self, forKey: .refused)
        lost = try container.decode(Int.self, forKey: .lost)
        hung = try container.decode(Int.self, forKey: .hung)
        p50Milliseconds = try container.decode(Double.self, forKey: .p50Milliseconds)
        p99Milliseconds = try container.decode(Double.self, forKey: .p99Milliseconds)
        checks = try container.decode([Check].self, forKey: .checks)
        lostExamples = try container.decode([String].self, forKey: .lostExamples)
        errorExamples = try container.decodeIfPresent([String].self, forKey: .errorExamples) ?? []
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scenario, forKey: .scenario)
        try container.encode(sent, forKey: .sent)
        try container.encode(answered, forKey: .answered)
        try container.encode(answeredByFallback, forKey: .answeredByFallback)
        try container.encode(answeredFromCache, forKey: .answeredFromCache)
        try container.encode(failedClearly, forKey: .failedClearly)
        try container.encode(refused, forKey: .refused)
        try container.encode(lost, forKey: .lost)
        try container.encode(hung, forKey: .hung)
        try container.encode((p50Milliseconds * 10).rounded() / 10, forKey: .p50Milliseconds)
        try container.encode((p99Milliseconds * 10).rounded() / 10, forKey: .p99Milliseconds)
        try container.encode(checks, forKey: .checks)
        try container.encode(lostExamples, forKey: .lostExamples)
        try container.encode(errorExamples, forKey: .errorExamples)
        try container.encode(ok, forKey: .ok)
    }

}

/// The whole drill: every scenario's figures and the verdict.
package struct DrillReport: Sendable, Codable {
    /// The clients per scenario.
    package var clients: Int
    /// The load time per scenario, in seconds.
    package var durationSeconds: Double
    /// The seed of the prompts and the scripted failures.
    package var seed: UInt64
    /// One report per scenario, in the order run.
    package var scenarios: [DrillScenarioReport]
    /// Whether every scenario passed.
    package var ok: Bool { scenarios.allSatisfy(\.ok) }

    enum CodingKeys: String, CodingKey { case clients, durationSeconds = "duration_s", seed, scenarios, ok }

    /// Creates a report.
    package init(clients: Int, durationSeconds: Double, seed: UInt64, scenarios: [DrillScenarioReport]) {
        self.clients = clients
        self.durationSeconds = durationSeconds
        self.seed = seed
        self.scenarios = scenarios
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clients = try container.decode(Int.self, forKey: .clients)
        durationSeconds = try container.decode(Double.self, forKey: .durationSeconds)
        seed = try container.decode(UInt64.self, forKey: .seed)
        scenarios = try container.decode([DrillScenarioReport].self, forKey: .scenarios)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(clients, forKey: .clients)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(seed, forKey: .seed)
        try container.encode(scenarios, forKey: .scenarios)
        try container.encode(ok, forKey: .ok)
    }

    static let widths = [18, 6, 8, 8, 6, 9, 7, 5, 5, 8, 8, 7]

    /// One JSON object (sorted keys), for `--json`.
    package func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The human-readable table, with the checks and any lost examples under it.
    package func table() -> String {
        func row(_ cells: [String]) -> String {
            zip(cells, Self.widths).enumerated().map { index, pair in
                let (cell, width) = pair
                let padding = String(repeating: " ", count: max(0, width - cell.count))
                return index == 0 ? cell + padding : padding + cell
            }.joined(separator: " ")
        }
        var lines = [row(["scenario", "sent", "answered", "fallback", "cache", "clear-err", "refused", "lost", "hung", "p50 ms", "p99 ms", "verdict"])]
        for s in scenarios {
            let figures = [s.sent, s.answered, s.answeredByFallback, s.answeredFromCache, s.failedClearly, s.refused, s.lost, s.hung].map(String.init)
            lines.append(row([s.scenario] + figures + [String(format: "%.1f", s.p50Milliseconds), String(format: "%.1f", s.p99Milliseconds), s.ok ? "ok" : "FAILED"]))
        }
        for s in scenarios {
            for check in s.checks {
                lines.append("  \(s.scenario): \(check.passed ? "✓" : "✗") \(check.name) — \(check.detail)")
            }
            for example in s.lostExamples {
                lines.append("  \(s.scenario): lost: \(example)")
            }
            if !s.ok {
                for example in s.errorExamples {
                    lines.append("  \(s.scenario): error: \(example)")
                }
            }
        }
        lines.append(ok ? "drill passed: nothing lost, nothing hung" : "drill FAILED: see the scenarios marked FAILED")
        return lines.joined(separator: "\n")
    }
}
