import Logging
import ServiceLifecycle
import ServingEngine
import Synchronization

/// Active health checks, on top of the engine's passive tracking: every provider with a
/// `health_check` is probed (`GET <base_url>/models`) on its interval. After
/// ``failuresToMarkDown`` failed probes in a row the checker reports the provider's checks as
/// failing (``ServingEngine/recordHealthCheck(_:_:)``), which keeps it out of the cascade; the
/// first good probe reports them passing again. A result is an input of its own to the engine's
/// health board, not an operator override: it is not logged as an operator act, not shared with
/// the fleet, and an operator's override still wins over it.
final class ActiveHealthChecker: Service, Sendable {
    /// Failed probes in a row before the provider is taken out.
    static let failuresToMarkDown = 2

    private let engine: ServingEngine
    private let remote: RemoteProviders
    private let logger: Logger
    private let state = Mutex<[String: ProbeState]>([:])

    private struct ProbeState {
        var consecutiveFailures = 0
        var lastResult: String = "not yet probed"
    }

    init(engine: ServingEngine, remote: RemoteProviders, logger: Logger) {
        self.engine = engine
        self.remote = remote
        self.logger = logger
    }

    /// The providers that have checks, with their last result, for the admin API.
    var results: [String: String] { state.withLock { $0.mapValues(\.lastResult) } }

    func run() async throws {
        let checked = engine.configuration.providers.filter { $0.kind.isRemote && $0.healthCheck != nil }
        guard !checked.isEmpty else {
            // A service that returns early would stop the server's whole group: wait for shutdown.
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for provider in checked {
                    group.addTask { await self.loop(provider) }
                }
            }
        }
    }

    private func loop(_ provider: ProviderConfiguration) async {
        guard let settings = provider.healthCheck else { return }
        while !Task.isCancelled {
            let failure = await remote.probe(provider, timeout: settings.timeout)
            record(provider.name, failure: failure)
            do {
                try await Task.sleep(for: settings.interval)
            } catch {
                return
            }
        }
    }

    /// Applies one probe result; returns the verdict it reported to the engine, if any (a
    /// failed probe below ``failuresToMarkDown`` in a row reports nothing).
    @discardableResult
    func record(_ name: String, failure: ProviderFailure?) -> HealthCheckResult? {
        let verdict: HealthCheckResult? = state.withLock { states in
            var probe = states[name, default: ProbeState()]
            defer { states[name] = probe }
            if let failure {
                probe.consecutiveFailures += 1
                probe.lastResult = "failing (\(probe.consecutiveFailures)× in a row): \(failure.description)"
                return probe.consecutiveFailures >= Self.failuresToMarkDown ? .failing(failure.description) : nil
            }
            probe.consecutiveFailures = 0
            probe.lastResult = "ok"
            return .passing
        }
        if let verdict, engine.recordHealthCheck(name, verdict) {
            logger.warning("active health check", metadata: ["provider": "\(name)", "checks": "\(verdict == .passing ? "passing" : "failing")", "result": "\(failure?.description ?? "ok")"])
        }
        return verdict
    }
}
