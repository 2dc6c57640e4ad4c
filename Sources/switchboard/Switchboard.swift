import ArgumentParser

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
}
