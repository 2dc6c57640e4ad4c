/// Where each pane goes on a screen of a given size.
///
/// ```
/// header ─────────────────────────────────────────
/// ╭ Providers ───────────────────────────────────╮
/// ╭ Routes ─────────────────╮╭ Cache ────────────╮
/// │                         │╰───────────────────╯
/// │                         │╭ Latency ──────────╮
/// ╭ Console ─────────────────────────────────────╮
/// footer ─────────────────────────────────────────
/// ```
package struct DashboardLayout: Sendable, Hashable {
    /// The smallest screen the dashboard draws on.
    package static let minimumWidth = 80
    /// The smallest screen the dashboard draws on.
    package static let minimumHeight = 24

    /// The screen width.
    package var width: Int
    /// The screen height.
    package var height: Int
    /// The header line.
    package var header: Rect
    /// The footer line.
    package var footer: Rect
    /// Pane rectangles, borders included.
    package var panes: [PaneID: Rect]

    /// Whether the screen is below the minimum size.
    package var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }

    /// Lays out a `width`×`height` screen for `providerCount` providers.
    package init(width: Int, height: Int, providerCount: Int) {
        self.width = width
        self.height = height
        header = Rect(x: 0, y: 0, width: width, height: 1)
        footer = Rect(x: 0, y: height - 1, width: width, height: 1)
        guard width >= Self.minimumWidth, height >= Self.minimumHeight else {
            panes = [:]
            return
        }
        let body = height - 2
        let providersHeight = min(max(1, providerCount) + 3, 12, body / 2)
        let consoleHeight = height >= 40 ? 12 : (height >= 30 ? 8 : 6)
        let middleHeight = body - providersHeight - consoleHeight
        // The right column gets about a third, between 30 and 58 columns; Routes the rest.
        let rightWidth = max(30, min(58, width * 36 / 100))
        let routesWidth = width - rightWidth
        let cacheHeight = middleHeight / 2
        let middleY = 1 + providersHeight
        panes = [
            .providers: Rect(x: 0, y: 1, width: width, height: providersHeight),
            .routes: Rect(x: 0, y: middleY, width: routesWidth, height: middleHeight),
            .cache: Rect(x: routesWidth, y: middleY, width: rightWidth, height: cacheHeight),
            .latency: Rect(x: routesWidth, y: middleY + cacheHeight, width: rightWidth, height: middleHeight - cacheHeight),
            .console: Rect(x: 0, y: middleY + middleHeight, width: width, height: consoleHeight),
        ]
    }

    /// The rectangle of `pane`, or an empty one when the screen is too small.
    package func rect(_ pane: PaneID) -> Rect {
        panes[pane] ?? Rect(x: 0, y: 0, width: 0, height: 0)
    }

    /// The pane under the screen cell (`x`, `y`), if any.
    package func pane(atX x: Int, y: Int) -> PaneID? {
        PaneID.allCases.first { rect($0).contains(x: x, y: y) }
    }

    /// The provider row (0-based) under screen row `y` in the Providers pane, if any.
    /// The pane's first inner line holds the column headings.
    package func providerRow(atY y: Int) -> Int? {
        let rect = rect(.providers)
        let row = y - rect.y - 2
        return row >= 0 && y < rect.maxY - 1 ? row : nil
    }
}
