/// A colour role: what a piece of text means, not what colour it is.
///
/// Panes draw with roles; a ``Theme`` maps each role to a colour, and the terminal backend maps
/// that colour to what the terminal supports. The raw values are the theme file keys.
package enum StyleRole: String, Sendable, Hashable, CaseIterable {
    /// The screen background.
    case mainBackground = "main_bg"
    /// Ordinary text.
    case mainForeground = "main_fg"
    /// Secondary text: labels, units, hints.
    case dimForeground = "dim_fg"
    /// Emphasised text: titles, hero numbers.
    case highlightForeground = "hi_fg"
    /// The background of the selected row.
    case selectedBackground = "selected_bg"
    /// Pane borders.
    case border
    /// The border of the focused pane.
    case borderFocus = "border_focus"
    /// Healthy things.
    case healthOK = "health_ok"
    /// Degraded things and fallbacks.
    case healthWarn = "health_warn"
    /// Failed things: errors, open circuits, forced-down providers.
    case healthDown = "health_down"
    /// Cache hits.
    case cacheHit = "cache_hit"
    /// Cache misses.
    case cacheMiss = "cache_miss"
    /// A request answered by its chain's first provider.
    case routePrimary = "route_primary"
    /// A request answered by a later provider.
    case routeFallback = "route_fallback"
    /// The fast end of latency gradients.
    case latencyStart = "latency_start"
    /// The middle of latency gradients.
    case latencyMid = "latency_mid"
    /// The slow end of latency gradients.
    case latencyEnd = "latency_end"

    /// The role's index in ``allCases``, for table lookups (a switch: this runs per cell run
    /// in the terminal backend).
    var index: Int {
        switch self {
        case .mainBackground: 0
        case .mainForeground: 1
        case .dimForeground: 2
        case .highlightForeground: 3
        case .selectedBackground: 4
        case .border: 5
        case .borderFocus: 6
        case .healthOK: 7
        case .healthWarn: 8
        case .healthDown: 9
        case .cacheHit: 10
        case .cacheMiss: 11
        case .routePrimary: 12
        case .routeFallback: 13
        case .latencyStart: 14
        case .latencyMid: 15
        case .latencyEnd: 16
        }
    }

    /// A one-letter code for snapshot files.
    var snapshotCode: Character {
        switch self {
        case .mainBackground: "_"
        case .mainForeground: "."
        case .dimForeground: "d"
        case .highlightForeground: "H"
        case .selectedBackground: "S"
        case .border: "b"
        case .borderFocus: "B"
        case .healthOK: "o"
        case .healthWarn: "w"
        case .healthDown: "X"
        case .cacheHit: "c"
        case .cacheMiss: "m"
        case .routePrimary: "p"
        case .routeFallback: "f"
        case .latencyStart: "1"
        case .latencyMid: "2"
        case .latencyEnd: "3"
        }
    }
}
