import ArgumentParser
import Dashboard
import Foundation
import Gateway
import Logging
import ServiceLifecycle
import ServingEngine

/// `switchboard` / `switchboard dashboard`: the full-screen operator's console with the engine
/// and its traffic generator running inside it.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the operator's dashboard (the default command).",
        discussion: """
            A full-screen console with the engine running inside it: watch live routes, the cache, \
            latency per tier and provider health; force providers down or up; type test prompts. \
            Press ? inside for every key; q quits. Themes are btop-style files in themes/ \
            (default, light, high-contrast, monochrome); NO_COLOR=1 draws without colour.

            Examples:
              switchboard                         # built-in demo, 20 req/s
              switchboard --theme light --rps 200
              NO_COLOR=1 switchboard --no-traffic
              switchboard --config switchboard.yaml
            """
    )

    @OptionGroup var configuration: ConfigurationOptions

    @Option(name: .long, help: "The theme to start with: a name from themes/ (default, light, high-contrast, monochrome, …) or a .theme file path.")
    var theme: String?

    @Option(name: .long, help: "Traffic generator rate in requests per second (default: the configuration's).")
    var rps: Double?

    @Flag(name: .long, help: "Start with the traffic generator paused (p resumes it).")
    var noTraffic = false

    @Option(name: .long, help: "Address for the HTTP gateway, HOST:PORT (default: gateway.listen, else 127.0.0.1:8080).")
    var listen: String?

    @Flag(name: .long, help: "Do not start the HTTP gateway.")
    var noGateway = false

    @OptionGroup var cacheFile: CacheFileOptions

    @OptionGroup var fleet: FleetOptions

    func validate() throws {
        if let rps, !(rps >= 0 && rps <= 100_000) {
            throw ValidationError("--rps must be between 0 and 100000, got \(rps)")
        }
        if let listen, listen.split(separator: ":").count != 2 || Int(listen.split(separator: ":").last ?? "") == nil {
            throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080; got '\(listen)'")
        }
    }

    func run() async throws {
        let configuration = try self.configuration.load()
        let gatewayConfiguration = try CommandSupport.gatewayConfiguration(configuration)
        let remote = RemoteProviders(source: configuration.source, maxResponseBytes: gatewayConfiguration.maxUpstreamResponseBytes)
        let engine: ServingEngine
        do {
            engine = try ServingEngine(configuration: configuration, registry: remote.registry, makeRemoteEmbedder: remote.makeEmbedder)
        } catch {
            try? await remote.shutdown()
            throw ValidationError("invalid configuration: \(error.description)")
        }
        // ncurses owns the terminal: nothing below may log to it; what they report reaches the
        // dashboard's panes and event log instead.
        let quiet = Logger(label: "switchboard") { _ in SwiftLogNoOpLogHandler() }
        // Services stop in the reverse of this order once the operator quits (the console
        // handles the signals itself, to restore the terminal): the traffic first, then the
        // gateway, then the cache file's last save, and the shared state's last writes after all.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        do {
            if let replica = try await SharedStateWiring.connect(url: fleet.state, engine: engine, logger: quiet) {
                services.append(.init(service: SharedStateWiring.service(replica)))
            }
        } catch {
            try? await remote.shutdown()
            throw error
        }
        if let path = cacheFile.cacheFile {
            engine.loadCache(from: path)
            services.append(.init(service: BackgroundService("cache file") { await engine.persistCache(to: path) }))
        }
        if let rps { _ = try? engine.perform(.setTrafficRate(rps)) }
        if noTraffic { _ = try? engine.perform(.setTrafficPaused(true)) }

        // The gateway shares the engine; if it cannot listen (port taken, say) the dashboard
        // still runs and its header says why.
        var gateway: GatewayServer?
        var gatewayNote = "disabled (--no-gateway)"
        if !noGateway {
            do {
                let settings = try GatewaySettings.resolve(gatewayConfiguration, listen: listen, allowUnauthenticated: false, environment: ProcessInfo.processInfo.environment)
                gateway = GatewayServer(engine: engine, settings: settings, logger: quiet, remoteProviders: remote)
            } catch {
                gatewayNote = error.message
            }
        }
        if let gateway { services.append(.init(service: gateway, failureTerminationBehavior: .ignore)) }
        services.append(.init(service: BackgroundService("traffic") { _ = await TrafficGenerator(engine: engine).run() }))
        let console = ConsoleService(engine: engine, gateway: gateway, gatewayNote: gatewayNote, themeName: theme)
        services.append(.init(service: console, successTerminationBehavior: .gracefullyShutdownGroup))
        var group = ServiceGroupConfiguration(services: services, logger: quiet)
        group.maximumGracefulShutdownDuration = .seconds(2)
        group.maximumCancellationDuration = .seconds(2)
        // A DashboardError (no terminal, say) is printed as "Error: …" with exit code 1.
        // The HTTP client closes once nothing uses the providers, however the group ended.
        do {
            try await ServiceGroup(configuration: group).run()
        } catch {
            try? await remote.shutdown()
            throw error
        }
        try? await remote.shutdown()

        guard let outcome = console.outcome else { return }
        for message in outcome.messages {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        if let signal = outcome.signal {
            throw ExitCode(128 + signal)
        }
    }
}
