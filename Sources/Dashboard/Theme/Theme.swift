/// A named set of colours, one per ``StyleRole``.
///
/// Themes are written as btop-style `.theme` files (see ``Theme/parse(_:file:)``); keys left
/// out are taken from the default theme.
package struct Theme: Sendable, Hashable {
    /// The theme's name (the file name without `.theme`).
    package var name: String
    /// Where it came from: a path, or `built-in`.
    package var source: String
    /// One colour per role.
    package var colors: [StyleRole: RGBColor]

    /// Creates a theme; roles missing from `colors` are filled from ``Theme/default``.
    package init(name: String, source: String, colors: [StyleRole: RGBColor]) {
        self.name = name
        self.source = source
        var filled = colors
        if let fallback = Self.defaultColors {
            for role in StyleRole.allCases where filled[role] == nil { filled[role] = fallback[role] }
        }
        self.colors = filled
    }

    /// The colour of `role`.
    package func color(_ role: StyleRole) -> RGBColor {
        colors[role] ?? RGBColor(red: 255, green: 255, blue: 255)
    }

    /// Whether every colour is a grey, so emphasis must come from attributes (bold, reverse).
    package var isMonochrome: Bool {
        colors.values.allSatisfy { $0.red == $0.green && $0.green == $0.blue }
    }

    /// The built-in dark theme, used when no other can be loaded.
    package static let `default`: Theme = {
        guard case .success(let parsed) = Theme.parse(BuiltInThemes.source(named: "default")!, file: "built-in:default", name: "default") else {
            preconditionFailure("the built-in default theme must parse")
        }
        return parsed.theme
    }()

    private static var defaultColors: [StyleRole: RGBColor]? {
        // Parsed without filling, so that the default theme does not depend on itself.
        BuiltInThemes.defaultColors
    }
}
