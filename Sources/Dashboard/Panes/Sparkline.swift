/// Block-character graphs: one-row sparklines and multi-row bars.
enum Sparkline {
    /// One cell per value (the last `width` values), each a bar of eighths scaled to `maximum`;
    /// nil values are drawn as a dim dot.
    static func draw(_ values: [Double?], maximum: Double, at x: Int, y: Int, width: Int, role: StyleRole, on canvas: inout Canvas) {
        let shown = values.suffix(width)
        var column = x + (width - shown.count)
        let bars = canvas.glyphs.bars
        for value in shown {
            if let value {
                let level = maximum > 0 ? Int((min(1, max(0, value / maximum)) * 8).rounded(.up)) : 0
                canvas.put(String(bars[max(value > 0 ? 1 : 0, level)]), at: column, y, style: CellStyle(role))
            } else {
                canvas.put(canvas.glyphs.isUnicode ? "·" : ".", at: column, y, style: CellStyle(.dimForeground))
            }
            column += 1
        }
    }

    /// A bar of `fraction` (0–1) over `height` rows, bottom-aligned, in column `x`.
    static func verticalBar(fraction: Double, x: Int, bottom: Int, height: Int, width: Int, role: StyleRole, on canvas: inout Canvas) {
        let eighths = Int((min(1, max(0, fraction)) * Double(height * 8)).rounded(.up))
        let bars = canvas.glyphs.bars
        for row in 0..<height {
            let filled = min(8, max(0, eighths - row * 8))
            guard filled > 0 else { break }
            let glyph = String(repeating: String(bars[filled]), count: width)
            canvas.put(glyph, at: x, bottom - row, style: CellStyle(role), limit: width)
        }
    }
}
