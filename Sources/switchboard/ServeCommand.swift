import ArgumentParser
import Foundation
import Gateway
import Logging
import ServingEngine

/// `switchboard serve`: the engine and the HTTP gateway, headless.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the OpenAI-compatible HTTP gateway (no dashboard).",
        discussion: """
            Listens on 127.0.0.1:8080 unless told otherwise and logs one line per request (prompts \
            only with --log-prompts). SIGINT or SIGTERM stops accepting connections, lets requests in \
            flight finish (gateway.shutdown_grace_ms, 10 s by default) and exits. A non-loopback \
            address needs gateway.api_keys in the configuration, or --allow-unauthenticated. Examples:
              switchboard serve
              switchboard serve --config switchboard.yaml --listen 0.0.0.0:8080
              curl -s localhost:8080/v1/chat/completions -d '{"model":"auto","messages":[{"role":"user","content":"hi"}]}'
            """
    )

    @Option(name: .long, help: "A YAML configuration file (default: the built-in demo configuration).")
    var config: String?

    @Option(name: .long, help: "HOST:PORT to listen on (default: gateway.listen, else 127.0.0.1:8080; port 0 picks a free port).")
    var listen: String?

    @Flag(name: .long, help: "Allow a non-loopback address without gateway API keys.")
    var allowUnauthenticated = false

    @Flag(name: .long, help: "Include prompt text in the request log.")
    var logPrompts = false

    @Option(name: .long, help: "Share the cache and operator overrides with other replicas through this PostgreSQL database (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE).")
    var state: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(name: .customLong("cache-file"), help: ArgumentHelp("Load cached answers from this file at start, save them as they change and at shutdown (crash-safe).", valueName: "PATH"))
    var cacheFile: String?

    @Option(name: .customLong("cache-save-interval-ms"), help: "How often changed cache entries are saved to --cache-file.")
    var cacheSaveIntervalMs: Int = 5000

    @OptionGroup var tasks: ExecutorOptions

    @Option(name: .customLong("simulate-traffic"), help: ArgumentHelp("Also send the built-in simulated traffic (the demo's prompts and tenants) through the engine at this many requests per second, as `switchboard` does; for demos and `bench dashboard --attached`.", valueName: "RPS"))
    var simulateTraffic: Double = 0

    func validate() throws {
        if simulateTraffic > 0, tasks.executor == .eventLoops {
            throw ValidationError("--simulate-traffic runs on Swift's pool: the generator starts every request from one task, which on the event loops would pile them all onto one loop; drop --executor event-loops")
        }
        guard (0...100_000).contains(simulateTraffic) else {
            throw ValidationError("--simulate-traffic must be between 0 and 100000 requests per second, got \(simulateTraffic)")
        }
        guard (50...3_600_000).contains(cacheSaveIntervalMs) else {
            throw ValidationError("--cache-save-interval-ms must be between 50 and 3600000, got \(cacheSaveIntervalMs)")
        }
    }

    func run() async throws {
        // Requests from the network spread over the event loops by connection; the simulated
        // traffic fans out from one task, so it stays on Swift's pool, which spreads it.
        tasks.install(default: simulateTraffic > 0 ? .pool : .eventLoops)
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'; use trace, debug, info, notice, warning, error or critical")
        }
        let configuration = try CommandSupport.loadConfiguration(config)
        var settings: GatewaySettings
        do {
            settings = try GatewaySettings.resolve(configuration.gateway, listen: listen, allowUnauthenticated: allowUnauthenticated, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.message)
        }
        if logPrompts { settings.logPrompts = true }
        var logger = Logger(label: "switchboard.gateway") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level

        let remote = RemoteProviders(source: configuration.source, maxResponseBytes: configuration.gateway.maxUpstreamResponseBytes)
        let engine: ServingEngine
        do {
            engine = try ServingEngine(configuration: configuration, registry: remote.registry, makeRemoteEmbedder: remote.makeEmbedder)
        } catch {
            try? await remote.shutdown()
            throw ValidationError("invalid configuration: \(error.description)")
        }
        var persisting: Task<Void, Never>?
        if let cacheFile {
            FileHandleOutput.standardError("cache file \(cacheFile): \(engine.loadCache(from: cacheFile))")
            let interval = Duration.milliseconds(cacheSaveIntervalMs)
            persisting = Task { await engine.persistCache(to: cacheFile, every: interval) }
        }
        let sharedState: Task<Void, Never>?
        do {
            sharedState = try await SharedStateWiring.start(url: state, engine: engine, logger: logger)
        } catch {
            persisting?.cancel()
            await persisting?.value
            try? await remote.shutdown()
            throw error
        }
        let gateway = GatewayServer(engine: engine, settings: settings, logger: logger, remoteProviders: remote)
        var traffic: Task<Void, Never>?
        if simulateTraffic > 0 {
            _ = try? engine.perform(.setTrafficRate(simulateTraffic))
            _ = try? engine.perform(.setTrafficPaused(false))
            traffic = Task { await TrafficGenerator(engine: engine).run() }
        }
        defer { traffic?.cancel() }
        let announce = Task {
            if let address = try? await gateway.listeningAddress() {
                // One line on standard output, for scripts and tests that start us on port 0.
                FileHandle.standardOutput.write(Data("switchboard gateway listening on \(address.url)\n".utf8))
            }
        }
        defer { announce.cancel() }
        do {
            try await gateway.runUntilShutdownSignal()
        } catch let error as GatewayError {
            persisting?.cancel()
            await persisting?.value
            sharedState?.cancel()
            await sharedState?.value
            try? await remote.shutdown()
            FileHandleOutput.standardError("error: \(error.message)")
            throw ExitCode(1)
        }
        traffic?.cancel()
        // Saves once more after the last request has drained.
        persisting?.cancel()
        await persisting?.value
        sharedState?.cancel()
        await sharedState?.value
        try? await remote.shutdown()
        FileHandleOutput.standardError("switchboard gateway stopped")
    }
}
