/// The characters used for borders, bars and markers: Unicode where the locale allows it,
/// ASCII otherwise.
public struct BoxGlyphs: Sendable, Hashable {
    /// Horizontal line.
    public var horizontal: Unicode.Scalar
    /// Vertical line.
    public var vertical: Unicode.Scalar
    /// Top-left corner.
    public var topLeft: Unicode.Scalar
    /// Top-right corner.
    public var topRight: Unicode.Scalar
    /// Bottom-left corner.
    public var bottomLeft: Unicode.Scalar
    /// Bottom-right corner.
    public var bottomRight: Unicode.Scalar
    /// Bar heights from empty to full (eighths in Unicode, a short ramp in ASCII).
    public var bars: [Unicode.Scalar]
    /// The selection marker at the start of a selected row.
    public var selection: Unicode.Scalar
    /// The separator between the providers of a fallback chain.
    public var arrow: String
    /// The ellipsis that ends cut text.
    public var ellipsis: Unicode.Scalar
    /// Whether these are the Unicode glyphs.
    public var isUnicode: Bool

    /// Rounded Unicode box drawing and eighth-block bars.
    public static let unicode = BoxGlyphs(
        horizontal: "─", vertical: "│", topLeft: "╭", topRight: "╮", bottomLeft: "╰", bottomRight: "╯",
        bars: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], selection: "▶", arrow: "→", ellipsis: "…", isUnicode: true)

    /// Plain ASCII for terminals whose locale is not UTF-8.
    public static let ascii = BoxGlyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        bars: [" ", ".", ".", "-", "-", "=", "=", "#", "#"], selection: ">", arrow: ">", ellipsis: "~", isUnicode: false)
}
