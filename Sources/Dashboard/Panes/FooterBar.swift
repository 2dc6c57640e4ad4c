/// The bottom line: the keys that matter in the current focus (from the keymap), and the last
/// status message.
enum FooterBar {
    static func draw(_ frame: DashboardFrame, in rect: Rect, on canvas: inout Canvas) {
        guard !rect.isEmpty else { return }
        canvas.fill(rect, style: CellStyle(.mainForeground, background: .selectedBackground))
        let keyStyle = CellStyle(.highlightForeground, background: .selectedBackground, attributes: [.bold])
        let textStyle = CellStyle(.dimForeground, background: .selectedBackground)
        var statusWidth = 0
        if let status = frame.state.status {
            let text = " \(status.text) "
            statusWidth = min(Canvas.displayWidth(of: text), rect.width / 2)
            let x = rect.maxX - statusWidth
            canvas.put(text, at: x, rect.y, style: CellStyle(status.isError ? .healthDown : .healthOK, background: .selectedBackground, attributes: [.bold]), limit: statusWidth)
        }
        let limit = rect.maxX - statusWidth - 1
        var x = rect.x + 1
        if frame.state.mode == .filtering {
            // The filter line takes the left of the footer, with its cursor; its keys follow.
            let editor = frame.state.filterEditor
            x = canvas.put("filter \\ ", at: x, rect.y, style: keyStyle, limit: limit - x)
            let start = x
            x = canvas.put(editor.text, at: x, rect.y, style: CellStyle(.mainForeground, background: .selectedBackground), limit: limit - x)
            let cursorX = start + Canvas.displayWidth(of: String(editor.characters.prefix(editor.cursor)))
            if cursorX < limit {
                canvas.restyle(Rect(x: cursorX, y: rect.y, width: 1, height: 1)) { $0.attributes.insert(.reverse) }
            }
            x = max(x, cursorX + 1) + 2
        }
        for binding in frame.state.footerBindings {
            let need = Canvas.displayWidth(of: binding.label) + Canvas.displayWidth(of: binding.hint) + 3
            guard x + need <= limit else { break }
            x = canvas.put(binding.label, at: x, rect.y, style: keyStyle)
            x = canvas.put(" \(binding.hint)  ", at: x, rect.y, style: textStyle, limit: limit - x)
        }
    }
}
