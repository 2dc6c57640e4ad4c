import Logging
import ServiceLifecycle
import ServingEngine
import Synchronization

/// Active health checks, on top of the engine's passive tracking: every provider with a
/// `health_check` is probed (`GET <base_url>/models`) on its interval. After
/// ``failuresToMarkDown`` failed probes in a row the checker takes the provider out of service
/// (a forced-down override, as an operator would); the first good probe gives it back to its
/// circuit breaker. It never undoes an override it did not set, so operators keep the last word.
final class ActiveHealthChecker: Service, Sendable {
    /// Failed probes in a row before the provider is taken out.
    static let failuresToMarkDown = 2

    private let engine: ServingEngine
    private let remote: RemoteProviders
    private let logger: Logger
    private let state = Mutex<[String: ProbeState]>([:])

    private struct ProbeState {
        var consecutiveFailures = 0
        var markedDown = false
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

    /// Applies one probe result; returns the override it set, if any.
    @discardableResult
    func record(_ name: String, failure: ProviderFailure?) -> ProviderOverride? {
        let current = engine.snapshot().providers.first { $0.name == name }?.override ?? .auto
        let action: ProviderOverride? = state.withLock { states in
            var probe = states[name, default: ProbeState()]
            defer { states[name] = probe }
            if let failure {
                probe.consecutiveFailures += 1
                probe.lastResult = "failing (\(probe.consecutiveFailures)× in a row): \(failure.description)"
                // Someone else set it back to auto: our mark is gone.
                if probe.markedDown, current != .forcedDown { probe.markedDown = false }
                if !probe.markedDown, current == .auto, probe.consecutiveFailures >= Self.failuresToMarkDown {
                    probe.markedDown = true
                    return .forcedDown
                }
                return nil
            }
            probe.consecutiveFailures = 0
            probe.lastResult = "ok"
            if probe.markedDown {
                probe.markedDown = false
                return current == .forcedDown ? .auto : nil
            }
            return nil
        }
        if let action {
            _ = try? engine.perform(.setOverride(provider: name, action))
            logger.warning("active health check", metadata: ["provider": "\(name)", "override": "\(action.rawValue)", "result": "\(failure?.description ?? "ok")"])
        }
        return action
    }
}
