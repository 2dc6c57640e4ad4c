/// How many colours a terminal can show, from most to least.
package enum ColorDepth: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    /// No colour: attributes only (also what `NO_COLOR` asks for).
    case none = 0
    /// The 8 ANSI colours.
    case ansi8 = 8
    /// The xterm 256-colour palette: 16 system colours, a 6×6×6 cube and a 24-step grey ramp.
    case palette256 = 256
    /// 24-bit colour.
    case trueColor = 16_777_216

    package static func < (lhs: ColorDepth, rhs: ColorDepth) -> Bool { lhs.rawValue < rhs.rawValue }

    package var description: String {
        switch self {
        case .none: "monochrome"
        case .ansi8: "8 colours"
        case .palette256: "256 colours"
        case .trueColor: "truecolor"
        }
    }

    /// The depth to use for a terminal reporting `colors` colours, honouring `NO_COLOR`.
    ///
    /// - Parameters:
    ///   - colors: what the terminal reports (`COLORS` after `start_color`, 0 without colour).
    ///   - environment: the process environment (`NO_COLOR`, `COLORTERM`).
    package static func detect(colors: Int, environment: [String: String]) -> ColorDepth {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .none }
        if colors >= 16_777_216 { return .trueColor }
        if colors >= 256 { return .palette256 }
        if colors >= 8 { return .ansi8 }
        return .none
    }
}
