/// A rectangle of cells: origin at the top left, sizes in cells.
package struct Rect: Sendable, Hashable, CustomStringConvertible {
    /// The left column.
    package var x: Int
    /// The top row.
    package var y: Int
    /// The width in columns.
    package var width: Int
    /// The height in rows.
    package var height: Int

    /// Creates a rectangle.
    package init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// The column after the right edge.
    package var maxX: Int { x + width }
    /// The row below the bottom edge.
    package var maxY: Int { y + height }
    /// Whether the rectangle has no cells.
    package var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The rectangle shrunk by `amount` cells on every side.
    package func inset(by amount: Int) -> Rect {
        Rect(x: x + amount, y: y + amount, width: width - 2 * amount, height: height - 2 * amount)
    }

    /// Whether the cell at (`px`, `py`) lies inside.
    package func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < maxX && py >= y && py < maxY
    }

    /// The `index`-th row of the rectangle, one cell high.
    func row(_ index: Int) -> Rect {
        Rect(x: x, y: y + index, width: width, height: index < height ? 1 : 0)
    }

    package var description: String { "\(width)x\(height)@\(x),\(y)" }
}
