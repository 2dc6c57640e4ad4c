/// An off-screen grid of styled cells that every pane draws into.
///
/// Panes never talk to the terminal: they draw into a canvas, which the ncurses backend copies
/// to the screen in one update, and which tests turn into text with ``Canvas/text``.
///
/// ```swift
/// var canvas = Canvas(width: 80, height: 24)
/// canvas.put("Routes", at: 2, 0, style: CellStyle(.highlightForeground))
/// print(canvas.text)
/// ```
package struct Canvas: Sendable {
    /// Width in columns.
    package private(set) var width: Int
    /// Height in rows.
    package private(set) var height: Int
    /// The cells, row by row.
    package private(set) var cells: [Cell]
    /// The glyphs borders and bars are drawn with.
    package var glyphs: BoxGlyphs
    /// Whether the screen has no colours, so roles that only colour could show also get
    /// attributes (selected rows reversed, errors bold, …).
    package var monochrome: Bool

    /// Creates a blank canvas.
    package init(width: Int, height: Int, glyphs: BoxGlyphs = .unicode, monochrome: Bool = false) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.glyphs = glyphs
        self.monochrome = monochrome
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The whole canvas as a rectangle.
    package var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Resizes to `width`×`height` and clears every cell.
    package mutating func reset(width: Int, height: Int) {
        if width != self.width || height != self.height {
            self.width = max(0, width)
            self.height = max(0, height)
            cells = Array(repeating: .blank, count: self.width * self.height)
        } else {
            clear()
        }
    }

    /// Sets every cell to a blank on the screen background.
    package mutating func clear() {
        for index in cells.indices { cells[index] = .blank }
    }

    /// The cell at column `x`, row `y`.
    package subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// The style actually stored for `style`: in monochrome, roles that colour alone would
    /// show are turned into attributes.
    func effective(_ style: CellStyle) -> CellStyle {
        guard monochrome else { return style }
        var result = style
        if style.background == .selectedBackground { result.attributes.insert(.reverse) }
        switch style.foreground {
        case .highlightForeground, .borderFocus, .healthDown: result.attributes.insert(.bold)
        case .routeFallback, .healthWarn: result.attributes.insert(.underline)
        case .dimForeground: result.attributes.insert(.dim)
        default: break
        }
        return result
    }

    /// Fills `rect` (clipped to the canvas) with `scalar` in `style`.
    package mutating func fill(_ rect: Rect, with scalar: Unicode.Scalar = " ", style: CellStyle = .plain) {
        let style = effective(style)
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 { cells[y * width + x] = Cell(scalar, style: style) }
        }
    }

    /// Writes `text` on one line starting at (`x`, `y`), clipped to `limit` columns (and to the
    /// canvas); text that does not fit ends with an ellipsis. Returns the column after the text.
    @discardableResult
    package mutating func put(_ text: some StringProtocol, at x: Int, _ y: Int, style: CellStyle = .plain, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let style = effective(style)
        let end = min(width, limit.map { x + max(0, $0) } ?? width)
        var column = x
        let scalars = text.unicodeScalars
        var index = scalars.startIndex
        while index != scalars.endIndex {
            var scalar = scalars[index]
            index = scalars.index(after: index)
            if scalar.value < 0x20 || scalar.value == 0x7F { scalar = " " }
            if !glyphs.isUnicode, scalar.value > 0x7E { scalar = Self.asciiFallback(for: scalar) }
            let cellWidth = Self.displayWidth(of: scalar)
            if cellWidth == 0 { continue }
            let hasMore = index != scalars.endIndex
            if column + cellWidth > end || (hasMore && column + cellWidth == end && Self.remainingWidth(scalars[index...]) > 0) {
                // Does not fit: mark the cut with an ellipsis in the last column.
                if end - 1 >= max(0, x), end - 1 < width, end > 0 {
                    cells[y * width + end - 1] = Cell(glyphs.ellipsis, style: style)
                }
                return end
            }
            if column >= 0 {
                cells[y * width + column] = Cell(scalar, style: style)
                if cellWidth == 2, column + 1 < width { cells[y * width + column + 1] = Cell(Cell.continuation, style: style) }
            }
            column += cellWidth
        }
        return column
    }

    /// Writes `text` right-aligned so that it ends just before column `maxX`.
    @discardableResult
    package mutating func putRight(_ text: some StringProtocol, endingAt maxX: Int, _ y: Int, style: CellStyle = .plain) -> Int {
        let x = maxX - Self.displayWidth(of: text)
        put(text, at: x, y, style: style, limit: maxX - x)
        return x
    }

    /// Changes the style of the cells of `rect`, keeping their characters.
    package mutating func restyle(_ rect: Rect, _ transform: (inout CellStyle) -> Void) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 {
                var style = cells[y * width + x].style
                transform(&style)
                cells[y * width + x].style = effective(style)
            }
        }
    }

    /// Draws a border around `rect` with `title` in its top edge, btop style: `╭─ Routes ──╮`.
    package mutating func box(_ rect: Rect, title: String, focused: Bool, badge: String? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let style = CellStyle(focused ? .borderFocus : .border)
        let g = glyphs
        fill(Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: 1), with: g.horizontal, style: style)
        fill(Rect(x: rect.x + 1, y: rect.maxY - 1, width: rect.width - 2, height: 1), with: g.horizontal, style: style)
        fill(Rect(x: rect.x, y: rect.y + 1, width: 1, height: rect.height - 2), with: g.vertical, style: style)
        fill(Rect(x: rect.maxX - 1, y: rect.y + 1, width: 1, height: rect.height - 2), with: g.vertical, style: style)
        fill(Rect(x: rect.x, y: rect.y, width: 1, height: 1), with: g.topLeft, style: style)
        fill(Rect(x: rect.maxX - 1, y: rect.y, width: 1, height: 1), with: g.topRight, style: style)
        fill(Rect(x: rect.x, y: rect.maxY - 1, width: 1, height: 1), with: g.bottomLeft, style: style)
        fill(Rect(x: rect.maxX - 1, y: rect.maxY - 1, width: 1, height: 1), with: g.bottomRight, style: style)
        guard rect.width > 6 else { return }
        let titleStyle = CellStyle(focused ? .borderFocus : .highlightForeground, attributes: focused ? [.bold] : [])
        var x = put(" ", at: rect.x + 2, rect.y, style: style, limit: rect.width - 4)
        x = put(title, at: x, rect.y, style: titleStyle, limit: rect.maxX - 2 - x)
        x = put(" ", at: x, rect.y, style: style, limit: rect.maxX - 2 - x)
        if let badge, x + 4 < rect.maxX - 2 {
            let badgeX = max(x + 1, rect.maxX - 3 - Self.displayWidth(of: badge))
            put(" \(badge) ", at: badgeX - 1, rect.y, style: CellStyle(.dimForeground), limit: rect.maxX - 1 - badgeX)
        }
    }

    /// What an ASCII-only terminal shows for a non-ASCII scalar: a look-alike, or `?`.
    static func asciiFallback(for scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar {
        case "·", "•": "."
        case "≈", "…", "~": "~"
        case "→", "▶", "›", "»": ">"
        case "←", "‹", "«": "<"
        case "●", "★": "*"
        case "✗", "×": "x"
        case "⊘", "─", "–", "—": "-"
        case "│": "|"
        case "µ": "u"
        case "↑": "^"
        case "↓": "v"
        default: Self.displayWidth(of: scalar) == 0 ? scalar : "?"
        }
    }

    /// The number of columns `text` takes.
    package static func displayWidth(of text: some StringProtocol) -> Int {
        remainingWidth(text.unicodeScalars[...])
    }

    private static func remainingWidth<S: Sequence<Unicode.Scalar>>(_ scalars: S) -> Int {
        var total = 0
        for scalar in scalars { total += displayWidth(of: scalar) }
        return total
    }

    /// The number of columns one scalar takes: 0 for combining marks, 2 for East Asian wide
    /// characters and emoji, 1 otherwise. Independent of the locale, so tests are stable.
    package static func displayWidth(of scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x300 { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v)
            || (0x20000...0x3FFFD).contains(v) {
            return 2
        }
        return 1
    }
}
