import Foundation
import Hummingbird
package import Logging
import NIOCore
import ServiceLifecycle
package import ServingEngine
import Synchronization

/// The HTTP gateway: an OpenAI-compatible server in front of a ``ServingEngine``, with health,
/// readiness, Prometheus metrics and an admin API.
///
/// It is a `Service`: run it in a `ServiceGroup` (`switchboard serve` and the dashboard do, beside
/// the cache file's saver and the shared state; the group's graceful shutdown stops accepting
/// connections, lets requests in flight finish, gives idle kept-alive connections
/// ``GatewaySettings/effectiveDrainLinger`` for a request already on its way, and turns
/// `/readyz` to 503 `draining`), and learn the bound address with ``listeningAddress()``; port 0
/// picks a free port.
///
/// ```swift
/// let gateway = GatewayServer(engine: engine, settings: GatewaySettings(address: .init(host: "127.0.0.1", port: 0)), logger: logger)
/// async let running: Void = gateway.run()
/// let address = try await gateway.listeningAddress()   // e.g. 127.0.0.1:53127
/// ```
package final class GatewayServer: Service, Sendable {
    /// The engine requests go to.
    package let engine: ServingEngine
    /// The resolved settings.
    package let settings: GatewaySettings
    /// The metrics `GET /metrics` renders.
    package let metrics: GatewayMetrics
    let logger: Logger
    let healthChecker: ActiveHealthChecker?
    let slots: RequestSlots
    private let state = Mutex(ListenState())

    private struct ListenState {
        var draining = false
        var address: GatewayAddress?
        var failure: GatewayError?
        var waiters: [CheckedContinuation<Result<GatewayAddress, GatewayError>, Never>] = []
    }

    /// Creates a gateway; nothing listens until ``run()``.
    ///
    /// - Parameters:
    ///   - engine: the engine that answers.
    ///   - settings: address, keys, limits.
    ///   - logger: where the one line per request goes (prompts only if `settings.logPrompts`).
    ///   - metrics: the metrics to record into; a fresh registry by default.
    ///   - remoteProviders: the factory the engine's real providers came from; when given, the
    ///     providers with a `health_check` are probed actively while the server runs.
    package init(engine: ServingEngine, settings: GatewaySettings, logger: Logger, metrics: GatewayMetrics = GatewayMetrics(), remoteProviders: RemoteProviders? = nil) {
        self.engine = engine
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
        slots = RequestSlots(limit: settings.maxConcurrentPerKey)
        healthChecker = remoteProviders.map { ActiveHealthChecker(engine: engine, remote: $0, logger: logger) }
    }

    /// Whether a graceful shutdown has begun: no new connections, `/readyz` says `draining`.
    package var isDraining: Bool { state.withLock { $0.draining } }

    /// The address the server is bound to, once it is listening.
    package var address: GatewayAddress? { state.withLock { $0.address } }

    /// Waits until the server is listening and returns its address (with the real port when 0
    /// was asked for); throws the reason if it could not listen (e.g. the port is taken).
    /// Call it while ``run()`` is running or about to.
    package func listeningAddress() async throws(GatewayError) -> GatewayAddress {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<GatewayAddress, GatewayError>, Never>) in
            let immediate: Result<GatewayAddress, GatewayError>? = state.withLock { state in
                if let address = state.address { return .success(address) }
                if let failure = state.failure { return .failure(failure) }
                state.waiters.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
        return try result.get()
    }

    /// Runs the server until graceful shutdown (from an enclosing `ServiceGroup`) or cancellation.
    ///
    /// - Throws: ``GatewayError`` when it cannot listen (``GatewayError/isAddressInUse``).
    package func run() async throws {
        let linger = settings.effectiveDrainLinger
        let application = Application(
            router: makeRouter(),
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionDrainHandler(linger: linger)])),
            configuration: ApplicationConfiguration(address: .hostname(settings.address.host, port: settings.address.port), serverName: nil),
            services: healthChecker.map { [$0] } ?? [],
            onServerRunning: { [weak self] channel in self?.didStartListening(channel) },
            logger: Self.quieter(logger)
        )
        do {
            try await withGracefulShutdownHandler {
                try await application.run()
            } onGracefulShutdown: {
                self.state.withLock { $0.draining = true }
            }
        } catch {
            let failure = Self.classify(error, address: settings.address)
            let wasListening = state.withLock { $0.address != nil }
            didFail(failure ?? .stopped("\(error)"))
            if !wasListening, let failure { throw failure }
            throw error
        }
        didFail(.stopped("the server shut down"))
    }

    private func didStartListening(_ channel: any Channel) {
        let port = channel.localAddress?.port ?? settings.address.port
        let address = GatewayAddress(host: settings.address.host, port: port)
        let waiters = state.withLock { state in
            state.address = address
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: .success(address)) }
        logger.info("gateway listening", metadata: ["address": "\(address.url)"])
    }

    private func didFail(_ failure: GatewayError) {
        let waiters = state.withLock { state in
            if state.address == nil { state.failure = failure }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: .failure(failure)) }
    }

    /// Hummingbird's own lines (server started, connection errors) at warning and above only, so
    /// the log is one line per request; also for a `ServiceGroup` that runs the server.
    package static func quieter(_ logger: Logger) -> Logger {
        var copy = logger
        if copy.logLevel < .warning { copy.logLevel = .warning }
        return copy
    }

    private static func classify(_ error: any Error, address: GatewayAddress) -> GatewayError? {
        if let error = error as? GatewayError { return error }
        if let io = error as? IOError {
            if io.errnoCode == EADDRINUSE { return .addressInUse(address.description) }
            if io.errnoCode == EADDRNOTAVAIL { return .cannotListen(address.description, reason: "the address is not available on this machine") }
            if io.errnoCode == EACCES { return .cannotListen(address.description, reason: "permission denied (ports below 1024 need privileges)") }
            return .cannotListen(address.description, reason: "\(io)")
        }
        let text = "\(error)"
        if text.contains("Address already in use") { return .addressInUse(address.description) }
        if text.contains("bind") || text.contains("resolve") { return .cannotListen(address.description, reason: text) }
        return nil
    }
}
