import AsyncHTTPClient
import Foundation
import Gateway
import Logging
import NIOCore
import ServiceLifecycle
import ServingEngine
import Synchronization
import TestSupport

/// Runs `switchboard drill`: scripted upstreams on loopback, a gateway in front of them (in this
/// process, or a child `switchboard serve` for the signal scenarios), a bounded load, faults on a
/// schedule, and one ``DrillScenarioReport`` per scenario.
///
/// ```swift
/// let report = try await DrillRunner(clients: 16, duration: .seconds(4)).run { print($0) }
/// print(report.table())
/// ```
package struct DrillRunner: Sendable {
    /// Concurrent clients per scenario.
    package var clients: Int
    /// Load time per scenario; faults start at a quarter of it and end at three quarters.
    package var duration: Duration
    /// Seed of the prompts and of the scripted failures.
    package var seed: UInt64
    /// The scenarios to run, in order.
    package var scenarios: [DrillScenario]
    /// The `switchboard` executable the signal scenarios start (`serve`); nil skips them with a failed check.
    package var executable: String?

    /// The provider timeout the drill configures (first token, and between tokens).
    static let providerTimeout: Duration = .milliseconds(500)
    /// The engine's request deadline.
    static let engineDeadline: Duration = .seconds(5)
    /// How long a client waits before it calls a request hung.
    static let clientDeadline: Duration = .seconds(10)
    /// The drain bound of the child gateway.
    static let shutdownGrace: Duration = .seconds(3)
    /// The remote embedder's timeout.
    static let embedderTimeout: Duration = .milliseconds(200)
    static let chain = ["primary", "secondary", "tertiary"]

    /// Creates a runner.
    package init(clients: Int = 16, duration: Duration = .seconds(4), seed: UInt64 = 42, scenarios: [DrillScenario] = DrillScenario.allCases, executable: String? = nil) {
        self.clients = clients
        self.duration = duration
        self.seed = seed
        self.scenarios = scenarios
        self.executable = executable
    }

    /// The scripted upstreams: the tier's chain and the embeddings endpoint.
    struct Upstreams: Sendable {
        let providers: [ScriptedUpstream]
        let embeddings: ScriptedUpstream
        var primary: ScriptedUpstream { providers[0] }

        /// Every upstream listening and behaving normally.
        func reset() async throws {
            for upstream in providers + [embeddings] {
                upstream.behavior = .answer
                if !upstream.isRunning { _ = try await upstream.start() }
            }
        }
    }

    /// Runs every scenario; `progress` gets one line as each starts and ends.
    package func run(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> DrillReport {
        let upstreams = Upstreams(
            providers: Self.chain.enumerated().map { ScriptedUpstream(name: $1, answer: .drill, seed: seed &+ UInt64($0)) },
            embeddings: ScriptedUpstream(name: "embeddings", answer: .drill, seed: seed)
        )
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(1)))
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: clients + 4)
        configuration.decompression = .disabled
        // A refused connection is an outcome to record at once, not to wait out.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var reports: [DrillScenarioReport] = []
        do {
            for scenario in scenarios {
                try await upstreams.reset()
                progress("drill: \(scenario.rawValue) — \(scenario.summary) (\(clients) clients, \(Self.seconds(duration)) s)")
                let report = scenario.needsChildProcess
                    ? try await runInChild(scenario, upstreams: upstreams, client: client)
                    : try await runInProcess(scenario, upstreams: upstreams, client: client)
                progress("drill: \(scenario.rawValue): sent \(report.sent), answered \(report.answered), lost \(report.lost), hung \(report.hung)\(report.ok ? "" : " — FAILED")")
                reports.append(report)
            }
        } catch {
            try? await client.shutdown()
            for upstream in upstreams.providers + [upstreams.embeddings] { await upstream.stop() }
            throw error
        }
        try? await client.shutdown()
        for upstream in upstreams.providers + [upstreams.embeddings] { await upstream.stop() }
        return DrillReport(clients: clients, durationSeconds: duration.seconds, seed: seed, scenarios: reports)
    }

    /// The engine configuration of the in-process gateway: one tier over the three upstreams,
    /// the `remote` embedder, short timeouts and breakers that recover within a scenario.
    static func configuration(_ upstreams: Upstreams) -> EngineConfiguration {
        let providers = upstreams.providers.map { upstream in
            var provider = ProviderConfiguration(name: upstream.name, kind: .openAICompatible, model: "drill", pricing: Pricing(inputPerMillion: 1, outputPerMillion: 2), timeout: providerTimeout)
            provider.baseURL = upstream.baseURL
            return provider
        }
        var configuration = EngineConfiguration(
            source: "drill", providers: providers, tiers: [TierConfiguration(name: "main", chain: chain)],
            routerThresholds: [.init(tier: "main", upTo: 1)], frontierTier: "main"
        )
        configuration.embedder = EmbedderConfiguration(kind: .remote, remote: .init(baseURL: upstreams.embeddings.baseURL, model: "drill-embed", dimensions: 384, timeout: embedderTimeout))
        configuration.resilience.deadline = engineDeadline
        configuration.resilience.breaker.coolDown = .seconds(1)
        configuration.resilience.breaker.maxCoolDown = .seconds(4)
        return configuration
    }

    private func runInProcess(_ scenario: DrillScenario, upstreams: Upstreams, client: HTTPClient) async throws -> DrillScenarioReport {
        let remote = RemoteProviders(source: "drill", environment: [:], connectTimeout: .milliseconds(500), readTimeout: .seconds(2))
        let engine = try ServingEngine(configuration: Self.configuration(upstreams), registry: remote.registry, makeRemoteEmbedder: remote.makeEmbedder)
        var logger = Logger(label: "drill.gateway")
        logger.logLevel = .critical
        let gateway = GatewayServer(engine: engine, settings: GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0), shutdownGrace: .seconds(2)), logger: logger)
        // Stopped by graceful shutdown, like `serve` (see ScriptedUpstream.start()).
        let group = ServiceGroup(configuration: .init(services: [gateway], logger: logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        let address: GatewayAddress
        do {
            address = try await gateway.listeningAddress()
        } catch {
            try? await remote.shutdown()
            throw error
        }
        let load = DrillLoad(client: client, clients: clients, duration: duration, deadline: Self.clientDeadline, seed: seed, target: address.url)
        let duration = duration
        let samples = await load.run { start in
            try? await Task.sleep(until: start + duration / 4, clock: .continuous)
            await Self.inject(scenario, upstreams: upstreams, admin: address.url, client: client)
            try? await Task.sleep(until: start + duration * 3 / 4, clock: .continuous)
            await Self.clear(scenario, upstreams: upstreams, admin: address.url, client: client)
        }
        let results = samples.map { (outcome: DrillOutcome.classify($0.observation), latency: $0.latency) }
        let checks = Self.checks(scenario, samples: samples, results: results, snapshot: engine.snapshot(activityLimit: 0))
        await group.triggerGracefulShutdown()
        _ = await running.result
        try? await remote.shutdown()
        var report = DrillScenarioReport(scenario: scenario.rawValue, results: results, primary: Self.chain[0], checks: checks)
        report.errorExamples = Self.errorExamples(samples)
        return report
    }

    /// Starts the scenario's fault.
    static func inject(_ scenario: DrillScenario, upstreams: Upstreams, admin: String, client: HTTPClient) async {
        switch scenario {
        case .providerDown: await upstreams.primary.stop()
        case .rateLimitStorm: upstreams.primary.behavior = .status(429, retryAfter: "1")
        case .serverErrors: upstreams.primary.behavior = .failSome(fraction: 0.3, status: 500)
        case .slowResponses: upstreams.primary.behavior = .slow(providerTimeout * 3)
        case .streamCutEarly: upstreams.primary.behavior = .cutBeforeFirstToken
        case .streamCutMidway: upstreams.primary.behavior = .cutAfterTokens(3)
        case .garbageBodies: upstreams.primary.behavior = .garbage
        case .operatorTierDown:
            for name in chain.dropLast() { await operatorOverride(name, "down", admin: admin, client: client) }
        case .allDown:
            for upstream in upstreams.providers { await upstream.stop() }
        case .embedderStall: upstreams.embeddings.behavior = .stall
        case .sigtermDrain, .sigkillRestart: break
        }
    }

    /// Ends the scenario's fault.
    static func clear(_ scenario: DrillScenario, upstreams: Upstreams, admin: String, client: HTTPClient) async {
        switch scenario {
        case .operatorTierDown:
            for name in chain.dropLast() { await operatorOverride(name, "auto", admin: admin, client: client) }
        case .embedderStall:
            upstreams.embeddings.behavior = .answer
        default:
            try? await upstreams.reset()
        }
    }

    private static func operatorOverride(_ provider: String, _ action: String, admin: String, client: HTTPClient) async {
        var request = HTTPClientRequest(url: "\(admin)/admin/providers/\(provider)/\(action)")
        request.method = .POST
        if let response = try? await client.execute(request, timeout: .seconds(5)) {
            _ = try? await response.body.collect(upTo: 1 << 16)
        }
    }

    /// The scenario's own expectations, beyond "nothing lost, nothing hung".
    static func checks(_ scenario: DrillScenario, samples: [DrillLoad.Sample], results: [(outcome: DrillOutcome, latency: Duration)], snapshot: EngineSnapshot) -> [DrillScenarioReport.Check] {
        let answeredBy = { (name: String) in results.filter { $0.outcome == .answered(provider: name) }.count }
        let failures = results.filter { if case .failedClearly = $0.outcome { true } else { false } }
        let everyAnswered = DrillScenarioReport.Check("every request answered", failures.isEmpty, "\(results.count - failures.count) of \(results.count) answered")
        switch scenario {
        case .providerDown, .streamCutEarly, .garbageBodies:
            let fallback = answeredBy("secondary") + answeredBy("tertiary")
            return [everyAnswered, .init("the cascade moved past the primary", fallback > 0, "\(fallback) answered by secondary or tertiary")]
        case .rateLimitStorm, .serverErrors, .slowResponses:
            // Retries on the primary (after Retry-After, or a backoff) may absorb these faults
            // without a fallback; what matters is that every request got its answer.
            return [everyAnswered]
        case .streamCutMidway:
            return [.init("broken answers end with an explicit error", !failures.isEmpty, "\(failures.count) clear errors (HTTP 502 or an SSE error event)")]
        case .operatorTierDown:
            let tertiary = answeredBy("tertiary")
            return [everyAnswered, .init("the cascade reached the tertiary fallback", tertiary > 0, "\(tertiary) answered by tertiary")]
        case .allDown:
            let slowest = failures.map(\.latency).max() ?? .zero
            return [
                .init("callers got a clear 502/503", !failures.isEmpty, "\(failures.count) clear errors"),
                .init("errors came fast (within the engine deadline)", slowest <= engineDeadline, "slowest error after \(milliseconds(slowest)) ms; deadline \(milliseconds(engineDeadline)) ms"),
            ]
        case .embedderStall:
            let counted = snapshot.totals.embedderFailures
            return [everyAnswered, .init("the cache failed open, counted", counted > 0, "\(counted) embedder failures counted (timeout \(milliseconds(embedderTimeout)) ms)")]
        case .sigtermDrain, .sigkillRestart:
            return []
        }
    }

    /// A few distinct clear errors the clients got, for the report.
    static func errorExamples(_ samples: [DrillLoad.Sample]) -> [String] {
        var examples: [String] = []
        for sample in samples {
            guard examples.count < 3, let summary = DrillOutcome.errorSummary(sample.observation) else { continue }
            let key = summary.prefix(60)
            if !examples.contains(where: { $0.hasPrefix(key) }) { examples.append(summary) }
        }
        return examples
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int((duration.seconds * 1000).rounded())
    }

    static func seconds(_ duration: Duration) -> String {
        let value = duration.seconds
        return value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
