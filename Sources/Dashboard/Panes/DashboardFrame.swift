package import ServingEngine

/// Everything one frame shows: the engine snapshot, the UI state and the console transcript.
/// Rendering is a pure function of it.
package struct DashboardFrame: Sendable {
    /// The engine's state.
    package var snapshot: EngineSnapshot
    /// Focus, selection, modes.
    package var state: DashboardState
    /// The console's exchanges.
    package var console: ConsoleTranscript
    /// The theme's name, for the header.
    package var themeName: String
    /// The gateway's address, or nil when it is not running.
    package var gatewayAddress: String?
    /// Why the gateway is not running, shown when ``gatewayAddress`` is nil.
    package var gatewayNote: String
    /// Seconds east of UTC for clock times.
    package var utcOffset: Int
    /// Where the console is attached, when it shows a remote server.
    package var attachment: DashboardAttachment?

    /// Creates a frame.
    package init(snapshot: EngineSnapshot, state: DashboardState, console: ConsoleTranscript = ConsoleTranscript(), themeName: String = "default", gatewayAddress: String? = nil, gatewayNote: String = "not built yet", utcOffset: Int = 0, attachment: DashboardAttachment? = nil) {
        self.snapshot = snapshot
        self.state = state
        self.console = console
        self.themeName = themeName
        self.gatewayAddress = gatewayAddress
        self.gatewayNote = gatewayNote
        self.utcOffset = utcOffset
        self.attachment = attachment
    }
}
