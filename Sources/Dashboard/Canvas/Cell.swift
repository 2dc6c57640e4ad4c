/// One character cell of a ``Canvas``.
package struct Cell: Sendable, Hashable {
    /// The character shown; ``Cell/continuation`` marks the right half of a wide character.
    package var scalar: Unicode.Scalar
    /// How it is drawn.
    package var style: CellStyle

    /// Creates a cell.
    package init(_ scalar: Unicode.Scalar, style: CellStyle) {
        self.scalar = scalar
        self.style = style
    }

    /// The marker stored in the cell covered by the right half of a wide character.
    package static let continuation: Unicode.Scalar = "\u{0}"

    /// A blank cell on the screen background.
    package static let blank = Cell(" ", style: .plain)
}
