/// How one cell is drawn: a foreground role, a background role and attributes.
package struct CellStyle: Sendable, Hashable {
    /// The text colour role.
    package var foreground: StyleRole
    /// The background colour role (``StyleRole/mainBackground`` or ``StyleRole/selectedBackground``).
    package var background: StyleRole
    /// Extra attributes.
    package var attributes: TextAttributes

    /// Creates a style.
    package init(_ foreground: StyleRole = .mainForeground, background: StyleRole = .mainBackground, attributes: TextAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// Ordinary text on the screen background.
    package static let plain = CellStyle()
}
