/// How one cell is drawn: a foreground role, a background role and attributes.
public struct CellStyle: Sendable, Hashable {
    /// The text colour role.
    public var foreground: StyleRole
    /// The background colour role (``StyleRole/mainBackground`` or ``StyleRole/selectedBackground``).
    public var background: StyleRole
    /// Extra attributes.
    public var attributes: TextAttributes

    /// Creates a style.
    public init(_ foreground: StyleRole = .mainForeground, background: StyleRole = .mainBackground, attributes: TextAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// Ordinary text on the screen background.
    public static let plain = CellStyle()
}
