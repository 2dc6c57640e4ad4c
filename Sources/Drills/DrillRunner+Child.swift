import AsyncHTTPClient
import Foundation
import ServingEngine
import Synchronization

extension DrillRunner {
    /// The signal scenarios: a child `switchboard serve` in front of the same upstreams, signalled
    /// half-way through the load.
    func runInChild(_ scenario: DrillScenario, upstreams: Upstreams, client: HTTPClient) async throws -> DrillScenarioReport {
        guard let executable else {
            return DrillScenarioReport(scenario: scenario.rawValue, results: [], primary: Self.chain[0], checks: [.init("a switchboard executable to start", false, "none was given")])
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-drill-\(getpid())-\(scenario.rawValue)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configPath = directory.appendingPathComponent("drill.yaml").path
        let cachePath = directory.appendingPathComponent("cache.json").path
        try Self.childConfiguration(upstreams).write(toFile: configPath, atomically: true, encoding: .utf8)
        let arguments = ["serve", "--config", configPath, "--listen", "127.0.0.1:0", "--log-level", "warning", "--cache-file", cachePath, "--cache-save-interval-ms", "200"]

        let first = try DrillChild(executable: executable, arguments: arguments)
        guard let url = await first.listeningURL(timeout: .seconds(15)) else {
            first.send(SIGKILL)
            return DrillScenarioReport(scenario: scenario.rawValue, results: [], primary: Self.chain[0], checks: [.init("switchboard serve starts", false, "it did not listen: \(first.standardError.suffix(400))")])
        }
        if scenario == .sigtermDrain {
            // Answers take a while, so that requests are in flight when the signal comes.
            upstreams.primary.behavior = .slow(.milliseconds(300))
        }
        let load = DrillLoad(client: client, clients: clients, duration: duration, deadline: Self.clientDeadline, seed: seed, target: url)
        let events = ChildEventLog()
        let duration = duration
        let samples = await load.run { start in
            try? await Task.sleep(until: start + duration / 2, clock: .continuous)
            switch scenario {
            case .sigtermDrain:
                events.state.withLock { $0.signalAt = .now - start }
                first.send(SIGTERM)
                let status = await first.exit()
                events.state.withLock {
                    $0.exitStatus = status
                    $0.exitAt = .now - start
                }
            default:
                events.state.withLock { $0.signalAt = .now - start }
                first.send(SIGKILL)
                load.target.withLock { $0 = nil }
                let status = await first.exit()
                events.state.withLock { $0.exitStatus = status }
                guard let second = try? DrillChild(executable: executable, arguments: arguments) else { return }
                let restarted = await second.listeningURL(timeout: .seconds(15))
                events.state.withLock {
                    $0.restarted = second
                    $0.restoredAt = .now - start
                }
                load.target.withLock { $0 = restarted }
            }
        }
        let seen = events.state.withLock { $0 }
        if let second = seen.restarted {
            second.send(SIGTERM)
            _ = await second.exit()
        } else if scenario == .sigkillRestart {
            first.send(SIGKILL)
        }
        let signalAt = seen.signalAt ?? duration
        let results = samples.map { sample in
            let expected: Bool = switch scenario {
            case .sigtermDrain: sample.sentAt >= signalAt
            default: sample.endedAt >= signalAt && sample.sentAt < (seen.restoredAt ?? duration * 2)
            }
            return (outcome: DrillOutcome.classify(sample.observation, refusalExpected: expected), latency: sample.latency)
        }
        let checks: [DrillScenarioReport.Check]
        if scenario == .sigtermDrain {
            let drain = (seen.exitAt ?? duration) - signalAt
            let before = zip(samples, results).filter { $0.0.sentAt < signalAt }
            let finished = before.filter { if case .answered = $0.1.outcome { true } else { false } }.count
            checks = [
                .init("in-flight requests finished", finished == before.count, "\(finished) of \(before.count) sent before SIGTERM answered"),
                .init("exited cleanly within the drain bound", seen.exitStatus == 0 && drain <= Self.shutdownGrace + .seconds(1), "exit status \(seen.exitStatus.map(String.init) ?? "none"), \(Self.milliseconds(drain)) ms after SIGTERM (bound \(Self.milliseconds(Self.shutdownGrace)) ms)"),
            ]
        } else {
            let message = seen.restarted.map { Self.cacheLine($0.standardError) } ?? "the restart did not happen"
            let usable = message.contains("loaded") || message.contains("moved to") || message.contains("no cache file yet")
            let after = zip(samples, results).filter { $0.0.sentAt >= (seen.restoredAt ?? duration * 2) }
            let answered = after.filter { if case .answered = $0.1.outcome { true } else { false } }.count
            checks = [
                .init("the cache file loads after SIGKILL (intact, or set aside with a message)", usable, message),
                .init("the restarted gateway answers", answered > 0 && answered == after.count, "\(answered) of \(after.count) requests after the restart answered"),
            ]
        }
        var report = DrillScenarioReport(scenario: scenario.rawValue, results: results, primary: Self.chain[0], checks: checks)
        report.errorExamples = Self.errorExamples(samples)
        return report
    }

    /// What happened to the child, as the schedule saw it.
    private final class ChildEventLog: Sendable {
        let state = Mutex(ChildEvents())
    }

    private struct ChildEvents: Sendable {
        var signalAt: Duration?
        var exitAt: Duration?
        var exitStatus: Int32?
        var restoredAt: Duration?
        var restarted: DrillChild?
    }

    /// The `cache file …` line of a starting `serve`.
    static func cacheLine(_ standardError: String) -> String {
        standardError.split(separator: "\n").first { $0.contains("cache file") }.map(String.init) ?? "no cache file message on standard error"
    }

    /// The YAML the child serves: the same chain as the in-process gateway, with the hashing
    /// embedder (the embeddings endpoint is not what these scenarios drill).
    static func childConfiguration(_ upstreams: Upstreams) -> String {
        var lines = ["providers:"]
        for upstream in upstreams.providers {
            lines += [
                "  - name: \(upstream.name)",
                "    kind: openai-compatible",
                "    base_url: \(upstream.baseURL)",
                "    model: drill",
                "    timeout_ms: \(milliseconds(providerTimeout))",
            ]
        }
        lines += [
            "tiers:",
            "  - name: main",
            "    chain: [\(chain.joined(separator: ", "))]",
            "router:",
            "  thresholds:",
            "    - { tier: main, up_to: 1 }",
            "cache:",
            "  enabled: true",
            "  embedder: hashing",
            "resilience:",
            "  deadline_ms: \(milliseconds(engineDeadline))",
            "  breaker: { cool_down_seconds: 1, max_cool_down_seconds: 4 }",
            "gateway:",
            "  shutdown_grace_ms: \(milliseconds(shutdownGrace))",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
