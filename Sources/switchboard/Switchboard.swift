import ArgumentParser
import Foundation

/// The `switchboard` command: the dashboard by default, and the headless tools as subcommands.
@main
struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "An LLM serving gateway with a live operator's console.",
        discussion: """
            Run with no subcommand to open the dashboard on the built-in simulated providers and \
            traffic. Examples:
              switchboard                          # dashboard, built-in demo configuration
              switchboard simulate --rps 200 --duration 20 --fail finetuned-local@5-12 --json
              switchboard check-config switchboard.yaml
            """,
        subcommands: [DashboardCommand.self, ConsoleCommand.self, SimulateCommand.self, EvalCommand.self, TrainCommand.self, CheckConfigCommand.self, PrintConfigCommand.self, BenchCommand.self, ServeCommand.self, DrillCommand.self],
        defaultSubcommand: DashboardCommand.self
    )

    /// Parses and runs the command line. A command that fails prints its error once, without the
    /// usage text argument-parser would add: the error says what was wrong and what to do, and
    /// `--help` is one flag away. Help and version requests print as usual.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            let message = message(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data("error: \(message)\n".utf8)) }
            Foundation.exit(code.rawValue)
        }
    }
}
