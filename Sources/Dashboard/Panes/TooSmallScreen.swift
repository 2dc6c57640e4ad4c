/// What is drawn instead of the dashboard on a screen below 80×24.
enum TooSmallScreen {
    static func draw(width: Int, height: Int, on canvas: inout Canvas) {
        let lines = [
            "Terminal too small",
            "current \(width)x\(height), need \(DashboardLayout.minimumWidth)x\(DashboardLayout.minimumHeight)",
            "enlarge the window; q quits",
        ]
        let top = max(0, (height - lines.count) / 2)
        for (index, line) in lines.enumerated() {
            let x = max(0, (width - Canvas.displayWidth(of: line)) / 2)
            let style = index == 0 ? CellStyle(.healthDown, attributes: [.bold]) : CellStyle(index == 1 ? .highlightForeground : .dimForeground)
            canvas.put(line, at: x, top + index, style: style, limit: width - x)
        }
    }
}
