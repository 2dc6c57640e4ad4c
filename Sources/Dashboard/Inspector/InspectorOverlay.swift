/// Draws the request inspector over the screen: a box with the record's lines, scrolled.
enum InspectorOverlay {
    /// The box the inspector takes on a screen area: nearly all of it.
    static func box(in screen: Rect) -> Rect {
        let width = min(screen.width - 2, 140)
        let height = screen.height - 2
        return Rect(x: screen.x + (screen.width - width) / 2, y: screen.y + 1, width: width, height: height)
    }

    static func draw(_ inspector: RequestInspectorState, utcOffset: Int, in screen: Rect, on canvas: inout Canvas) {
        let rect = box(in: screen)
        guard rect.width >= 20, rect.height >= 4 else { return }
        let inner = rect.inset(by: 1)
        let lines = RequestInspector.lines(for: inspector.record, width: inner.width - 2, utcOffset: utcOffset)
        let maxOffset = max(0, lines.count - inner.height)
        let offset = min(inspector.scrollOffset, maxOffset)
        let position = lines.count <= inner.height ? "all \(lines.count) lines" : "lines \(offset + 1)-\(min(lines.count, offset + inner.height)) of \(lines.count)"
        canvas.fill(rect, style: .plain)
        canvas.box(rect, title: "Inspector: request #\(inspector.record.id)", focused: true, badge: "\(position) · w writes JSON · Esc closes")
        for (row, line) in lines.dropFirst(offset).prefix(inner.height).enumerated() {
            canvas.put(line.text, at: inner.x + 1, inner.y + row, style: CellStyle(line.role, attributes: line.bold ? [.bold] : []), limit: inner.width - 1)
        }
    }
}
