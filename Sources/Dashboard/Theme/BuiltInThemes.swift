/// The themes compiled into the binary, so the dashboard works without a `themes/` folder.
/// Their text is the same as the files in `themes/`.
enum BuiltInThemes {
    /// The names, in cycling order.
    static let names: [String] = ["default", "light", "high-contrast", "monochrome"]

    /// The source text of the built-in theme `name`.
    static func source(named name: String) -> String? {
        switch name {
        case "default":
            return #"""
            # Switchboard default theme: dark, Nord-like. btop syntax: theme[key]="#RRGGBB".
            # Keys name roles, not widgets; any key left out is taken from this theme.
            theme[main_bg]="#1E2127"
            theme[main_fg]="#D8DEE9"
            theme[dim_fg]="#7B8394"
            theme[hi_fg]="#ECEFF4"
            theme[selected_bg]="#3B4252"
            theme[border]="#4C566A"
            theme[border_focus]="#88C0D0"
            theme[health_ok]="#A3BE8C"
            theme[health_warn]="#EBCB8B"
            theme[health_down]="#BF616A"
            theme[cache_hit]="#8FBCBB"
            theme[cache_miss]="#D08770"
            theme[route_primary]="#81A1C1"
            theme[route_fallback]="#EBCB8B"
            theme[latency_start]="#A3BE8C"
            theme[latency_mid]="#EBCB8B"
            theme[latency_end]="#BF616A"
            """#
        case "light":
            return #"""
            # Switchboard light theme, for bright terminals.
            theme[main_bg]="#FAFAFA"
            theme[main_fg]="#2E3440"
            theme[dim_fg]="#6E7687"
            theme[hi_fg]="#000000"
            theme[selected_bg]="#D8DEE9"
            theme[border]="#A0A8B8"
            theme[border_focus]="#005F87"
            theme[health_ok]="#2E7D32"
            theme[health_warn]="#B26A00"
            theme[health_down]="#C62828"
            theme[cache_hit]="#00796B"
            theme[cache_miss]="#BF5B00"
            theme[route_primary]="#1565C0"
            theme[route_fallback]="#B26A00"
            theme[latency_start]="#2E7D32"
            theme[latency_mid]="#B26A00"
            theme[latency_end]="#C62828"
            """#
        case "high-contrast":
            return #"""
            # Switchboard high-contrast theme: pure colours on black, for projectors and tired eyes.
            theme[main_bg]="#000000"
            theme[main_fg]="#FFFFFF"
            theme[dim_fg]="#C0C0C0"
            theme[hi_fg]="#FFFF00"
            theme[selected_bg]="#0000AF"
            theme[border]="#FFFFFF"
            theme[border_focus]="#00FFFF"
            theme[health_ok]="#00FF00"
            theme[health_warn]="#FFFF00"
            theme[health_down]="#FF0000"
            theme[cache_hit]="#00FFFF"
            theme[cache_miss]="#FF8700"
            theme[route_primary]="#5FAFFF"
            theme[route_fallback]="#FFFF00"
            theme[latency_start]="#00FF00"
            theme[latency_mid]="#FFFF00"
            theme[latency_end]="#FF0000"
            """#
        case "monochrome":
            return #"""
            # Switchboard monochrome theme: greys only. A theme whose colours are all greys is drawn with
            # attributes for emphasis (selected row reversed, errors bold, fallbacks underlined), as NO_COLOR is.
            theme[main_bg]="#000000"
            theme[main_fg]="#D0D0D0"
            theme[dim_fg]="#808080"
            theme[hi_fg]="#FFFFFF"
            theme[selected_bg]="#444444"
            theme[border]="#808080"
            theme[border_focus]="#FFFFFF"
            theme[health_ok]="#D0D0D0"
            theme[health_warn]="#D0D0D0"
            theme[health_down]="#FFFFFF"
            theme[cache_hit]="#D0D0D0"
            theme[cache_miss]="#D0D0D0"
            theme[route_primary]="#D0D0D0"
            theme[route_fallback]="#FFFFFF"
            theme[latency_start]="#D0D0D0"
            theme[latency_mid]="#D0D0D0"
            theme[latency_end]="#FFFFFF"
            """#
        default:
            return nil
        }
    }

    /// The default theme's colours, as written.
    static let defaultColors: [StyleRole: RGBColor]? = {
        guard case .success(let (colors, _)) = Theme.parseColors(source(named: "default")!, file: "built-in:default", reportMissing: false) else { return nil }
        return colors
    }()
}
