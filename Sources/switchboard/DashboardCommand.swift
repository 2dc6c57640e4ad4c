import ArgumentParser
import Dashboard
import Foundation
import Gateway
import Logging
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

    @Option(name: .long, help: "A configuration file (YAML); the built-in demo configuration when omitted.")
    var config: String?

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

    @Option(name: .customLong("cache-file"), help: ArgumentHelp("Keep cached answers in this file across restarts: loaded at start, saved every few seconds while it changes and on exit (crash-safe).", valueName: "PATH"))
    var cacheFile: String?

    @Option(name: .long, help: "Share the cache and operator overrides with other replicas through this PostgreSQL database (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE).")
    var state: String?

    func validate() throws {
        if let rps, !(rps >= 0 && rps <= 100_000) {
            throw ValidationError("--rps must be between 0 and 100000, got \(rps)")
        }
        if let listen, listen.split(separator: ":").count != 2 || Int(listen.split(separator: ":").last ?? "") == nil {
            throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080; got '\(listen)'")
        }
    }

    func run() async throws {
        let configuration = try CommandSupport.loadConfiguration(config)
        let remote = RemoteProviders(source: configuration.source, maxResponseBytes: configuration.gateway.maxUpstreamResponseBytes)
        defer { Task { try? await remote.shutdown() } }
        let engine: ServingEngine
        do {
            engine = try ServingEngine(configuration: configuration, registry: remote.registry, makeRemoteEmbedder: remote.makeEmbedder)
        } catch {
            throw ValidationError("invalid configuration: \(error.description)")
        }
        var persistence: Task<Void, Never>?
        if let cacheFile {
            // Shown in the dashboard's event log: the terminal belongs to ncurses from here on.
            engine.loadCache(from: cacheFile)
            persistence = Task { await engine.persistCache(to: cacheFile) }
        }
        // ncurses owns the terminal: shared state reports through the dashboard, not the log.
        let sharedState = try await SharedStateWiring.start(url: state, engine: engine, logger: Logger(label: "switchboard.state") { _ in SwiftLogNoOpLogHandler() })
        if let rps { _ = try? engine.perform(.setTrafficRate(rps)) }
        if noTraffic { _ = try? engine.perform(.setTrafficPaused(true)) }
        let traffic = TrafficGenerator(engine: engine)
        let trafficTask = Task { await traffic.run() }
        defer { trafficTask.cancel() }

        // The gateway shares the engine; if it cannot listen (port taken, say) the dashboard
        // still runs and its header says why.
        var gatewayAddress: String?
        var gatewayNote = "disabled (--no-gateway)"
        var gatewayTask: Task<Void, Never>?
        if !noGateway {
            do {
                let settings = try GatewaySettings.resolve(configuration.gateway, listen: listen, allowUnauthenticated: false, environment: ProcessInfo.processInfo.environment)
                // ncurses owns the terminal: the gateway's request log must not write to it.
                let gateway = GatewayServer(engine: engine, settings: settings, logger: Logger(label: "switchboard.gateway") { _ in SwiftLogNoOpLogHandler() }, remoteProviders: remote)
                gatewayTask = Task { try? await gateway.run() }
                gatewayAddress = try await gateway.listeningAddress().description
            } catch {
                gatewayNote = error.message
            }
        }
        defer { gatewayTask?.cancel() }
        let options = DashboardOptions(themeName: theme, gatewayAddress: gatewayAddress, gatewayNote: gatewayNote)
        // A DashboardError (no terminal, say) is printed as "Error: …" with exit code 1.
        let outcome: DashboardOutcome
        do {
            outcome = try await DashboardApp.run(engine: engine, options: options)
        } catch {
            persistence?.cancel()
            sharedState?.cancel()
            await persistence?.value
            await sharedState?.value
            throw error
        }
        trafficTask.cancel()
        persistence?.cancel()
        await persistence?.value
        // Share what is still queued before leaving.
        sharedState?.cancel()
        await sharedState?.value
        for message in outcome.messages {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        if let signal = outcome.signal {
            throw ExitCode(128 + signal)
        }
    }
}
