/// One thing read from the terminal.
enum TerminalInput: Sendable, Hashable {
    /// A key or click for the state machine.
    case key(DashboardKey)
    /// The terminal changed size.
    case resize
}
