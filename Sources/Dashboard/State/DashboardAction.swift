package import ServingEngine

/// Something the state machine asks the outside world to do.
package enum DashboardAction: Sendable, Hashable {
    /// Send an operator command to the engine.
    case perform(OperatorCommand)
    /// Send a prompt typed in the console.
    case submit(ConsolePrompt)
    /// Switch to the next theme.
    case cycleTheme
    /// Leave the dashboard.
    case quit
    /// Write this decision record as JSON to a file and say where.
    case writeRecord(DecisionRecord)
}
