import ArgumentParser
import Gateway

extension TaskExecution: ExpressibleByArgument {}

/// `--executor`, shared by the commands that serve or measure HTTP.
struct ExecutorOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Where tasks run: event-loops (SwiftNIO's, fewer thread hops per request; the default) or pool (Swift's own).",
        valueName: "event-loops|pool"
    ))
    var executor: TaskExecution?

    /// Makes the choice for this process (`fallback` when none was given); call first thing in `run()`.
    func install(default fallback: TaskExecution = .eventLoops) {
        (executor ?? fallback).install()
    }
}
