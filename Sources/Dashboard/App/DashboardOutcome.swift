/// How a dashboard session ended, and what to tell the operator on the restored terminal.
package struct DashboardOutcome: Sendable {
    /// The signal that ended it, or nil when the operator quit.
    package var signal: Int32?
    /// Theme problems and other messages worth printing after the screen is gone.
    package var messages: [String]
}
