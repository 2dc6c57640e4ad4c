/// Where the `?` overlay puts the keymap: every section whole in one column, as few columns as
/// let the longest summaries show, and — when even the widest layout is taller than the screen
/// (80×24) — one column that scrolls. A pure function of the keymap and the screen, so the
/// overlay and the state that scrolls it agree on how far it can go.
struct HelpOverlayLayout: Sendable {
    /// One line of the overlay.
    enum Line: Sendable, Hashable {
        /// A section's heading.
        case heading(String)
        /// One binding: its keys and what it does.
        case binding(label: String, summary: String)
        /// The gap between sections.
        case blank
    }

    /// The overlay's box.
    let box: Rect
    /// The columns, left to right; when ``isScrolling``, one column with every line.
    let columns: [[Line]]
    /// Width of one column, inside the box.
    let columnWidth: Int
    /// Lines that fit in the box.
    let visibleRows: Int
    /// Whether the lines are more than the box shows, so the overlay scrolls.
    let isScrolling: Bool

    /// The widest the keys' column gets.
    static let labelWidth = 12
    /// A column narrower than this cuts summaries too short to read.
    static let minimumColumnWidth = 44

    /// Lays out `keymap` in `screen` (the area between the header and the footer).
    init(keymap: Keymap, screen: Rect) {
        let sections = keymap.helpSections().map { section in
            [Line.heading(section.heading)] + section.bindings.map { Line.binding(label: $0.label, summary: $0.summary) }
        }
        let widest = keymap.bindings.map { 4 + Self.labelWidth + Canvas.displayWidth(of: $0.summary) }.max() ?? Self.minimumColumnWidth
        let maxWidth = max(10, min(screen.width - 2, 156))
        let maxRows = max(1, min(screen.height - 2, 60) - 2)
        // Columns that fit side by side; fewer columns first, so summaries stay whole where they can.
        let fitting = max(1, (maxWidth - 2) / Self.minimumColumnWidth)
        var chosen: [[Line]]?
        for count in 1...fitting {
            if let packed = Self.pack(sections, rows: maxRows, columns: count) {
                chosen = packed
                break
            }
        }
        if let chosen {
            columns = chosen
            isScrolling = false
        } else {
            columns = [Array(sections.joined(separator: [Line.blank]))]
            isScrolling = true
        }
        let count = columns.count
        let width = min(maxWidth, max(count * min(widest, (maxWidth - 2) / count) + 2, 40))
        columnWidth = (width - 2) / count
        let tallest = columns.map(\.count).max() ?? 0
        visibleRows = isScrolling ? maxRows : tallest
        let height = visibleRows + 2
        box = Rect(x: screen.x + (screen.width - width) / 2, y: screen.y + max(0, (screen.height - height) / 2), width: width, height: height)
    }

    /// How far the one scrolling column can scroll (0 when it all shows).
    var maxScroll: Int { isScrolling ? max(0, (columns.first?.count ?? 0) - visibleRows) : 0 }

    /// The sections in `columns` columns of at most `rows` lines, each section whole and a blank
    /// line between sections in one column; nil if they do not fit.
    private static func pack(_ sections: [[Line]], rows: Int, columns: Int) -> [[Line]]? {
        var result: [[Line]] = [[]]
        for section in sections {
            let gap = result[result.count - 1].isEmpty ? 0 : 1
            if result[result.count - 1].count + gap + section.count <= rows {
                if gap == 1 { result[result.count - 1].append(.blank) }
                result[result.count - 1] += section
            } else {
                guard section.count <= rows, result.count < columns else { return nil }
                result.append(section)
            }
        }
        return result
    }
}
