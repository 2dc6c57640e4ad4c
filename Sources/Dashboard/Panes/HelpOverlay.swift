/// The `?` overlay: every binding in the keymap, grouped by where it applies, laid out by
/// ``HelpOverlayLayout`` (columns when they fit, else one column that scrolls with a hint).
enum HelpOverlay {
    static func draw(_ keymap: Keymap, scroll: Int, in screen: Rect, on canvas: inout Canvas) {
        let layout = HelpOverlayLayout(keymap: keymap, screen: screen)
        let rect = layout.box
        canvas.fill(rect, style: .plain)
        let offset = min(max(0, scroll), layout.maxScroll)
        var badge = "?/Esc closes"
        if layout.isScrolling {
            let total = layout.columns.first?.count ?? 0
            badge = "\(offset + 1)–\(min(total, offset + layout.visibleRows)) of \(total) · ↑↓ PgUp PgDn scroll · " + badge
        }
        canvas.box(rect, title: "Help: keys", focused: true, badge: badge)
        let inner = rect.inset(by: 1)
        for (index, column) in layout.columns.enumerated() {
            let x = inner.x + 1 + index * layout.columnWidth
            let lines = layout.isScrolling ? Array(column.dropFirst(offset).prefix(layout.visibleRows)) : column
            for (row, line) in lines.enumerated() {
                let y = inner.y + row
                guard y < inner.maxY else { break }
                switch line {
                case .heading(let heading):
                    canvas.put(heading, at: x, y, style: CellStyle(.borderFocus, attributes: [.bold, .underline]), limit: layout.columnWidth - 2)
                case .binding(let label, let summary):
                    let keyWidth = HelpOverlayLayout.labelWidth
                    canvas.put(label, at: x + 1, y, style: CellStyle(.highlightForeground, attributes: [.bold]), limit: keyWidth)
                    canvas.put(summary, at: x + 2 + keyWidth, y, style: CellStyle(.mainForeground), limit: layout.columnWidth - keyWidth - 4)
                case .blank:
                    continue
                }
            }
        }
        if layout.isScrolling, offset < layout.maxScroll {
            canvas.put("↓ more", at: inner.maxX - 8, inner.maxY - 1, style: CellStyle(.dimForeground), limit: 7)
        }
    }
}
