/// The dashboard's panes, in Tab order.
package enum PaneID: String, Sendable, Hashable, CaseIterable {
    /// The provider table.
    case providers
    /// The route decision log.
    case routes
    /// Cache statistics.
    case cache
    /// Latency histograms.
    case latency
    /// The prompt console.
    case console

    /// The title shown in the pane's border.
    package var title: String {
        switch self {
        case .providers: "Providers"
        case .routes: "Routes"
        case .cache: "Cache"
        case .latency: "Latency"
        case .console: "Console"
        }
    }
}
