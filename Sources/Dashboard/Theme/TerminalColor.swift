/// A colour as the terminal will show it at a given ``ColorDepth``.
package enum TerminalColor: Sendable, Hashable {
    /// An exact 24-bit colour.
    case rgb(RGBColor)
    /// An index into the terminal palette (0–255; 0–7 for 8-colour terminals).
    case palette(Int)
    /// No colour: the terminal's default.
    case none

    /// The standard ANSI colours 0–7 as xterm draws them.
    static let ansi: [RGBColor] = [
        RGBColor(red: 0, green: 0, blue: 0), RGBColor(red: 205, green: 0, blue: 0),
        RGBColor(red: 0, green: 205, blue: 0), RGBColor(red: 205, green: 205, blue: 0),
        RGBColor(red: 0, green: 0, blue: 238), RGBColor(red: 205, green: 0, blue: 205),
        RGBColor(red: 0, green: 205, blue: 205), RGBColor(red: 229, green: 229, blue: 229),
    ]

    private static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// Maps `color` to what a terminal of `depth` can show.
    ///
    /// For 256 colours the nearer of the 6×6×6 cube (indices 16–231) and the grey ramp
    /// (232–255) is chosen; for 8 colours, the nearest ANSI colour.
    package static func map(_ color: RGBColor, to depth: ColorDepth) -> TerminalColor {
        switch depth {
        case .trueColor: return .rgb(color)
        case .palette256: return .palette(palette256Index(for: color))
        case .ansi8: return .palette(ansi8Index(for: color))
        case .none: return .none
        }
    }

    /// The xterm-256 index nearest to `color`.
    package static func palette256Index(for color: RGBColor) -> Int {
        func nearestLevel(_ value: UInt8) -> Int {
            var best = 0
            for (index, level) in cubeLevels.enumerated() where abs(level - Int(value)) < abs(cubeLevels[best] - Int(value)) {
                best = index
            }
            return best
        }
        let r = nearestLevel(color.red), g = nearestLevel(color.green), b = nearestLevel(color.blue)
        let cubeColor = RGBColor(red: UInt8(cubeLevels[r]), green: UInt8(cubeLevels[g]), blue: UInt8(cubeLevels[b]))
        let cubeIndex = 16 + 36 * r + 6 * g + b
        let average = (Int(color.red) + Int(color.green) + Int(color.blue)) / 3
        let greyStep = max(0, min(23, (average - 8 + 5) / 10))
        let greyValue = UInt8(8 + 10 * greyStep)
        let greyColor = RGBColor(red: greyValue, green: greyValue, blue: greyValue)
        return greyColor.squaredDistance(to: color) < cubeColor.squaredDistance(to: color) ? 232 + greyStep : cubeIndex
    }

    /// The ANSI colour index (0–7) for `color`, by hue: low-saturation colours become black
    /// or white by brightness; others the nearest of red, yellow, green, cyan, blue, magenta.
    /// (Nearest-by-distance would turn every pastel theme colour white.)
    package static func ansi8Index(for color: RGBColor) -> Int {
        let r = Double(color.red) / 255, g = Double(color.green) / 255, b = Double(color.blue) / 255
        let maximum = max(r, g, b), minimum = min(r, g, b)
        let chroma = maximum - minimum
        if maximum == 0 || chroma / maximum < 0.2 || chroma < 0.1 {
            return color.luminance >= 0.5 ? 7 : 0
        }
        var hue: Double
        if maximum == r {
            hue = 60 * ((g - b) / chroma)
        } else if maximum == g {
            hue = 60 * ((b - r) / chroma + 2)
        } else {
            hue = 60 * ((r - g) / chroma + 4)
        }
        if hue < 0 { hue += 360 }
        // Sextants centred on the primaries and secondaries, in ANSI order.
        let sextant = Int(((hue + 30).truncatingRemainder(dividingBy: 360)) / 60)
        return [1, 3, 2, 6, 4, 5][sextant]
    }
}
