/// The `?` overlay: every binding in the keymap, grouped by where it applies.
enum HelpOverlay {
    static func draw(_ keymap: Keymap, in screen: Rect, on canvas: inout Canvas) {
        let sections = keymap.helpSections()
        let lineCount = sections.reduce(0) { $0 + $1.bindings.count + 1 } + 2
        let labelWidth = keymap.bindings.map { Canvas.displayWidth(of: $0.label) }.max() ?? 8
        let width = min(screen.width - 2, 96)
        let height = min(screen.height - 2, lineCount + 2)
        let rect = Rect(x: screen.x + (screen.width - width) / 2, y: screen.y + (screen.height - height) / 2, width: width, height: height)
        canvas.fill(rect, style: .plain)
        canvas.box(rect, title: "Help: keys", focused: true, badge: "?/Esc closes")
        let inner = rect.inset(by: 1)
        var y = inner.y
        // Two columns when the list is taller than the box.
        let columns = lineCount > inner.height ? 2 : 1
        let columnWidth = inner.width / columns
        var column = 0
        func advance() {
            y += 1
            if y >= inner.maxY, column + 1 < columns {
                column += 1
                y = inner.y
            }
        }
        for section in sections {
            guard y < inner.maxY else { break }
            let x = inner.x + 1 + column * columnWidth
            canvas.put(section.heading, at: x, y, style: CellStyle(.borderFocus, attributes: [.bold, .underline]), limit: columnWidth - 2)
            advance()
            for binding in section.bindings {
                guard y < inner.maxY else { break }
                let x = inner.x + 1 + column * columnWidth
                let keyWidth = min(labelWidth, 12)
                canvas.put(binding.label, at: x + 1, y, style: CellStyle(.highlightForeground, attributes: [.bold]), limit: keyWidth)
                canvas.put(binding.summary, at: x + 2 + keyWidth, y, style: CellStyle(.mainForeground), limit: columnWidth - keyWidth - 4)
                advance()
            }
        }
    }
}
