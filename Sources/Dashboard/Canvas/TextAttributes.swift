/// Text attributes that work on every terminal, with or without colour.
package struct TextAttributes: OptionSet, Sendable, Hashable {
    package let rawValue: UInt8

    /// Creates attributes from raw bits.
    package init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Bold or bright text.
    package static let bold = TextAttributes(rawValue: 1 << 0)
    /// Foreground and background swapped.
    package static let reverse = TextAttributes(rawValue: 1 << 1)
    /// Underlined text.
    package static let underline = TextAttributes(rawValue: 1 << 2)
    /// Dim text.
    package static let dim = TextAttributes(rawValue: 1 << 3)

    /// A one-letter code for snapshot files (` ` for none; the strongest attribute wins).
    var snapshotCode: Character {
        if contains(.reverse) { return "R" }
        if contains(.bold) { return "B" }
        if contains(.underline) { return "U" }
        if contains(.dim) { return "d" }
        return " "
    }
}
