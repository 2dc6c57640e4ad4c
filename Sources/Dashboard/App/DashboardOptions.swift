/// How to run the dashboard.
public struct DashboardOptions: Sendable {
    /// The theme to start with; nil for `default`.
    public var themeName: String?
    /// Where themes are looked for.
    public var themeCatalog: ThemeCatalog
    /// The gateway's address, or nil when it is not running.
    public var gatewayAddress: String?
    /// Why the gateway is not running, for the header.
    public var gatewayNote: String
    /// Frames per second to redraw at.
    public var framesPerSecond: Int

    /// Creates options.
    public init(themeName: String? = nil, themeCatalog: ThemeCatalog = .standard(), gatewayAddress: String? = nil, gatewayNote: String = "not built yet", framesPerSecond: Int = 10) {
        self.themeName = themeName
        self.themeCatalog = themeCatalog
        self.gatewayAddress = gatewayAddress
        self.gatewayNote = gatewayNote
        self.framesPerSecond = framesPerSecond
    }
}
