/// One character cell of a ``Canvas``.
public struct Cell: Sendable, Hashable {
    /// The character shown; ``Cell/continuation`` marks the right half of a wide character.
    public var scalar: Unicode.Scalar
    /// How it is drawn.
    public var style: CellStyle

    /// Creates a cell.
    public init(_ scalar: Unicode.Scalar, style: CellStyle) {
        self.scalar = scalar
        self.style = style
    }

    /// The marker stored in the cell covered by the right half of a wide character.
    public static let continuation: Unicode.Scalar = "\u{0}"

    /// A blank cell on the screen background.
    public static let blank = Cell(" ", style: .plain)
}
