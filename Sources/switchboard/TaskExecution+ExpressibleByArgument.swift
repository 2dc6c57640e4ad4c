import ArgumentParser
import Gateway

extension TaskExecution: ExpressibleByArgument {}

/// `--executor`, shared by the commands that serve or measure HTTP.
struct ExecutorOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Where tasks run: event-loops (SwiftNIO's, fewer thread hops per request) or pool (Swift's own).",
        valueName: "event-loops|pool"
    ))
    var executor: TaskExecution = .eventLoops

    /// Makes the choice for this process; call first thing in `run()`.
    func install() {
        executor.install()
    }
}
