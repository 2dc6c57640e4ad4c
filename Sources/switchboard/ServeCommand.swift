import ArgumentParser
import Foundation
import Gateway
import Logging
import ServiceLifecycle
import ServingEngine

/// `switchboard serve`: the engine and the HTTP gateway, headless.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the OpenAI-compatible HTTP gateway (no dashboard).",
        discussion: """
            Listens on 127.0.0.1:8080 unless told otherwise and logs one line per request (prompts \
            only with --log-prompts). SIGINT or SIGTERM stops accepting connections, lets requests in \
            flight finish (gateway.shutdown_grace_ms, 10 s by default), keeps idle kept-alive connections \
            open for a request already sent (gateway.drain_linger_ms, 1 s) and exits. A non-loopback \
            address needs gateway.api_keys in the configuration, or --allow-unauthenticated. Examples:
              switchboard serve
              switchboard serve --config switchboard.yaml --listen 0.0.0.0:8080
              curl -s localhost:8080/v1/chat/completions -d '{"model":"auto","messages":[{"role":"user","content":"hi"}]}'
            """
    )

    @OptionGroup var configuration: ConfigurationOptions

    @Option(name: .long, help: "HOST:PORT to listen on (default: gateway.listen, else 127.0.0.1:8080; port 0 picks a free port).")
    var listen: String?

    @Flag(name: .long, help: "Allow a non-loopback address without gateway API keys.")
    var allowUnauthenticated = false

    @Flag(name: .long, help: "Include prompt text in the request log.")
    var logPrompts = false

    @OptionGroup var fleet: FleetOptions

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @OptionGroup var cacheFile: CacheFileOptions

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
        // The request log's timestamps come from glibc's strftime, which checks /etc/localtime
        // with a stat on every call unless TZ is set: naming that same file keeps the local zone
        // and saves a system call a request.
        if ProcessInfo.processInfo.environment["TZ"] == nil { setenv("TZ", ":/etc/localtime", 0) }
        // Requests from the network spread over the event loops by connection; the simulated
        // traffic fans out from one task, so it stays on Swift's pool, which spreads it.
        tasks.install(default: simulateTraffic > 0 ? .pool : .eventLoops)
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'; use trace, debug, info, notice, warning, error or critical")
        }
        let configuration = try self.configuration.load()
        let gatewayConfiguration = try CommandSupport.gatewayConfiguration(configuration)
        var settings: GatewaySettings
        do {
            settings = try GatewaySettings.resolve(gatewayConfiguration, listen: listen, allowUnauthenticated: allowUnauthenticated, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.message)
        }
        if logPrompts { settings.logPrompts = true }
        var logger = Logger(label: "switchboard.gateway") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level

        let remote = RemoteProviders(source: configuration.source, maxResponseBytes: gatewayConfiguration.maxUpstreamResponseBytes)
        let engine: ServingEngine
        do {
            engine = try ServingEngine(configuration: configuration, registry: remote.registry, makeRemoteEmbedder: remote.makeEmbedder)
        } catch {
            try? await remote.shutdown()
            throw ValidationError("invalid configuration: \(error.description)")
        }
        // Services stop in the reverse of this order on SIGINT or SIGTERM: the simulated traffic
        // first, then the gateway (in-flight requests finish within the grace), then the cache
        // file's last save after the last request, and the shared state's last writes after all.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        do {
            if let replica = try await SharedStateWiring.connect(url: fleet.state, engine: engine, logger: logger) {
                services.append(.init(service: SharedStateWiring.service(replica)))
            }
        } catch {
            try? await remote.shutdown()
            throw error
        }
        if let path = cacheFile.cacheFile {
            FileHandleOutput.standardError("cache file \(path): \(engine.loadCache(from: path))")
            let interval = Duration.milliseconds(cacheSaveIntervalMs)
            services.append(.init(service: BackgroundService("cache file") { await engine.persistCache(to: path, every: interval) }))
        }
        let gateway = GatewayServer(engine: engine, settings: settings, logger: logger, remoteProviders: remote)
        services.append(.init(service: gateway))
        if simulateTraffic > 0 {
            _ = try? engine.perform(.setTrafficRate(simulateTraffic))
            _ = try? engine.perform(.setTrafficPaused(false))
            services.append(.init(service: BackgroundService("simulated traffic") { _ = await TrafficGenerator(engine: engine).run() }))
        }
        var group = ServiceGroupConfiguration(services: services, logger: GatewayServer.quieter(logger))
        group.gracefulShutdownSignals = [.sigterm, .sigint]
        group.maximumGracefulShutdownDuration = settings.shutdownGrace
        group.maximumCancellationDuration = .seconds(2)

        let announce = Task {
            if let address = try? await gateway.listeningAddress() {
                // One line on standard output, for scripts and tests that start us on port 0.
                FileHandle.standardOutput.write(Data("switchboard gateway listening on \(address.url)\n".utf8))
            }
        }
        defer { announce.cancel() }
        do {
            try await ServiceGroup(configuration: group).run()
        } catch let error as GatewayError {
            try? await remote.shutdown()
            FileHandleOutput.standardError("error: \(error.message)")
            throw ExitCode(1)
        }
        try? await remote.shutdown()
        FileHandleOutput.standardError("switchboard gateway stopped")
    }
}
