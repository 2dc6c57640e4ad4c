/// Text attributes that work on every terminal, with or without colour.
public struct TextAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    /// Creates attributes from raw bits.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Bold or bright text.
    public static let bold = TextAttributes(rawValue: 1 << 0)
    /// Foreground and background swapped.
    public static let reverse = TextAttributes(rawValue: 1 << 1)
    /// Underlined text.
    public static let underline = TextAttributes(rawValue: 1 << 2)
    /// Dim text.
    public static let dim = TextAttributes(rawValue: 1 << 3)

    /// A one-letter code for snapshot files (` ` for none; the strongest attribute wins).
    var snapshotCode: Character {
        if contains(.reverse) { return "R" }
        if contains(.bold) { return "B" }
        if contains(.underline) { return "U" }
        if contains(.dim) { return "d" }
        return " "
    }
}
