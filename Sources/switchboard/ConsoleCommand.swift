import ArgumentParser
import Dashboard
import Foundation
import Gateway
import ServingEngine

/// `switchboard console --connect URL`: the dashboard on a running `switchboard serve`.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the operator's dashboard on a running `switchboard serve`.",
        discussion: """
            The same panes as `switchboard`, fed by the server's /admin/stream (snapshots at frame \
            rate and its decisions, sampled with exact counts when they come faster than the screen \
            shows). Provider overrides, the router threshold and cache clearing go through the \
            server's admin API; console prompts are answered by the server's engine for the tenant \
            you pick (@tenant). The header says what the console is attached to; when the server \
            goes away it says so and reconnects.

            Examples:
              switchboard console --connect http://127.0.0.1:8080
              SB_ADMIN=… switchboard console --connect http://10.0.0.5:8080 --admin-token-env SB_ADMIN
            """
    )

    @Option(name: .long, help: "The server's URL, e.g. http://127.0.0.1:8080.")
    var connect: String

    @Option(name: .long, help: "The environment variable that holds the server's admin token (gateway.admin_token_env on the server).")
    var adminTokenEnv: String?

    @Option(name: .long, help: "The theme to start with (as for `switchboard`).")
    var theme: String?

    @Option(name: .long, help: "Frames per second asked of the server, 1–30.")
    var fps: Int = 10

    @Option(name: .long, help: "The most decisions one frame carries (1–500; beyond it the server sends an even sample and the exact count).")
    var sample: Int = AttachedEngine.defaultSampleSize

    func run() async throws {
        var token: String?
        if let adminTokenEnv {
            guard let value = ProcessInfo.processInfo.environment[adminTokenEnv], !value.isEmpty else {
                throw ConsoleFailure(description: "--admin-token-env: the environment variable \(adminTokenEnv) is not set or empty; export it with the server's admin token")
            }
            token = value
        }
        guard (1...30).contains(fps) else { throw ConsoleFailure(description: "--fps must be from 1 to 30, got \(fps)") }
        guard (1...500).contains(sample) else { throw ConsoleFailure(description: "--sample must be from 1 to 500, got \(sample)") }
        let engine: AttachedEngine
        do {
            engine = try AttachedEngine(url: connect, adminToken: token, framesPerSecond: fps, sampleSize: sample)
        } catch {
            throw ConsoleFailure(description: error.description)
        }
        do {
            try await engine.checkAccess()
        } catch {
            await engine.stop()
            throw ConsoleFailure(description: error.description)
        }
        engine.start()
        let options = DashboardOptions(themeName: theme, gatewayAddress: engine.baseURL, gatewayNote: "attached", framesPerSecond: max(10, fps))
        let outcome: DashboardOutcome
        do {
            outcome = try await DashboardApp.run(engine: engine, options: options)
        } catch {
            await engine.stop()
            throw error
        }
        await engine.stop()
        for message in outcome.messages {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        if let signal = outcome.signal { throw ExitCode(128 + signal) }
    }
}

/// A console that cannot start: printed once as `Error: …`, without the usage text.
struct ConsoleFailure: Error, CustomStringConvertible {
    var description: String
}
