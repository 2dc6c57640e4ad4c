/// How to run the dashboard.
package struct DashboardOptions: Sendable {
    /// The theme to start with; nil for `default`.
    package var themeName: String?
    /// Where themes are looked for.
    package var themeCatalog: ThemeCatalog
    /// The gateway's address, or nil when it is not running.
    package var gatewayAddress: String?
    /// Why the gateway is not running, for the header.
    package var gatewayNote: String
    /// Frames per second to redraw at.
    package var framesPerSecond: Int

    /// Creates options.
    package init(themeName: String? = nil, themeCatalog: ThemeCatalog = .standard(), gatewayAddress: String? = nil, gatewayNote: String = "not built yet", framesPerSecond: Int = 10) {
        self.themeName = themeName
        self.themeCatalog = themeCatalog
        self.gatewayAddress = gatewayAddress
        self.gatewayNote = gatewayNote
        self.framesPerSecond = framesPerSecond
    }
}
