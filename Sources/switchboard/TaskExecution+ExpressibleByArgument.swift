import ArgumentParser
import Gateway

extension TaskExecution: ExpressibleByArgument {
    /// The help text of every `--executor` option.
    static let help = ArgumentHelp(
        "Where tasks run: event-loops (SwiftNIO's, fewer thread hops per request) or pool (Swift's own).",
        valueName: "event-loops|pool"
    )
}
