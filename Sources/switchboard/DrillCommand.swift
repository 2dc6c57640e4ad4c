import ArgumentParser
import Drills
import Foundation
import Gateway

/// `switchboard drill`: fault drills against the real gateway, with a verdict.
struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Run fault drills: scripted upstreams, a bounded load, faults on a schedule, nothing lost.",
        discussion: """
            Starts fake OpenAI-compatible upstreams on loopback and Switchboard's gateway in front of \
            them (in this process; the SIGTERM and SIGKILL scenarios start `switchboard serve` as a \
            child), drives it with --clients concurrent clients for --duration seconds per scenario, \
            injects the scenario's fault from a quarter to three quarters of the time, and reports \
            per scenario: requests sent, answered, answered by a fallback provider or the cache, \
            failed with a clear error, refused (while the drill stopped the gateway), lost (no answer \
            and no error) and hung (past the client deadline), with p50/p99 latency. Exits 1 when \
            any scenario lost or hung a request or failed one of its checks. Scenarios:
            \(DrillScenario.allCases.map { "  \($0.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(separator: "\n"))
            Examples:
              switchboard drill
              switchboard drill --scenario all-down --scenario embedder-stall --clients 32 --duration 10
              switchboard drill --json --duration 1 --clients 4
            """
    )

    @Option(name: .customLong("scenario"), help: ArgumentHelp("A scenario to run (repeatable; default: all).", valueName: "NAME"))
    var scenarios: [String] = []

    @Option(help: "Concurrent clients per scenario.")
    var clients: Int = 16

    @Option(help: "Seconds of load per scenario.")
    var duration: Double = 4

    @Option(help: "Seed of the prompts and the scripted failures.")
    var seed: UInt64 = 42

    @Flag(help: "Print one JSON object with every scenario's figures.")
    var json = false

    func validate() throws {
        guard (1...512).contains(clients) else { throw ValidationError("--clients must be between 1 and 512, got \(clients)") }
        guard duration >= 0.4, duration <= 600 else { throw ValidationError("--duration must be between 0.4 and 600 seconds, got \(duration)") }
        for name in scenarios where DrillScenario(rawValue: name) == nil {
            throw ValidationError("unknown scenario '\(name)'; choose from: \(DrillScenario.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let chosen = scenarios.isEmpty ? DrillScenario.allCases : scenarios.compactMap(DrillScenario.init(rawValue:))
        let runner = DrillRunner(clients: clients, duration: .milliseconds(Int64(duration * 1000)), seed: seed, scenarios: chosen, executable: Self.executable())
        let progress = TerminalProgress(quiet: json)
        let report = try await runner.run(progress: progress.note)
        progress.finish()
        print(json ? report.json() : report.table())
        if !report.ok { throw ExitCode(1) }
    }

    /// This very binary, so that the signal scenarios run the same build as `switchboard serve`.
    static func executable() -> String? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executablePath
    }
}
