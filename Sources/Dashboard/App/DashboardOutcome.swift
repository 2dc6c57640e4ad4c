/// How a dashboard session ended, and what to tell the operator on the restored terminal.
public struct DashboardOutcome: Sendable {
    /// The signal that ended it, or nil when the operator quit.
    public var signal: Int32?
    /// Theme problems and other messages worth printing after the screen is gone.
    public var messages: [String]
}
