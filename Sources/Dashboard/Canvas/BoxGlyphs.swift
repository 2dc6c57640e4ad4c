/// The characters used for borders, bars and markers: Unicode where the locale allows it,
/// ASCII otherwise.
package struct BoxGlyphs: Sendable, Hashable {
    /// Horizontal line.
    package var horizontal: Unicode.Scalar
    /// Vertical line.
    package var vertical: Unicode.Scalar
    /// Top-left corner.
    package var topLeft: Unicode.Scalar
    /// Top-right corner.
    package var topRight: Unicode.Scalar
    /// Bottom-left corner.
    package var bottomLeft: Unicode.Scalar
    /// Bottom-right corner.
    package var bottomRight: Unicode.Scalar
    /// Bar heights from empty to full (eighths in Unicode, a short ramp in ASCII).
    package var bars: [Unicode.Scalar]
    /// The selection marker at the start of a selected row.
    package var selection: Unicode.Scalar
    /// The separator between the providers of a fallback chain.
    package var arrow: String
    /// The ellipsis that ends cut text.
    package var ellipsis: Unicode.Scalar
    /// Whether these are the Unicode glyphs.
    package var isUnicode: Bool

    /// Rounded Unicode box drawing and eighth-block bars.
    package static let unicode = BoxGlyphs(
        horizontal: "─", vertical: "│", topLeft: "╭", topRight: "╮", bottomLeft: "╰", bottomRight: "╯",
        bars: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], selection: "▶", arrow: "→", ellipsis: "…", isUnicode: true)

    /// Plain ASCII for terminals whose locale is not UTF-8.
    package static let ascii = BoxGlyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        bars: [" ", ".", ".", "-", "-", "=", "=", "#", "#"], selection: ">", arrow: ">", ellipsis: "~", isUnicode: false)
}
