import ServingEngine

/// One histogram per tier over log-spaced buckets, with p50/p95/p99 and request rate.
enum LatencyPane {
    /// Short names of the bucket upper bounds (the last bucket takes the rest).
    static let bucketLabels = ["1ms", "2ms", "5ms", "10", "20", "50", "100", "200", "500", "1s", "2s", "5s", "10s", "20s", "20s+"]

    static func draw(_ frame: DashboardFrame, in rect: Rect, focused: Bool, on canvas: inout Canvas) {
        canvas.box(rect, title: PaneID.latency.title, focused: focused, badge: "last 60 s")
        let inner = rect.inset(by: 1)
        let tiers = frame.snapshot.tiers
        guard !inner.isEmpty, !tiers.isEmpty else { return }
        let perTier = inner.height / tiers.count
        var y = inner.y
        for tier in tiers {
            guard y < inner.maxY else { break }
            let summary = tier.recentLatency
            if perTier >= 4 {
                drawStats(tier, at: inner.x, y: y, width: inner.width, on: &canvas)
                let barRows = perTier - 2
                drawHistogram(summary.buckets, x: inner.x, top: y + 1, height: barRows, width: inner.width, on: &canvas)
                y += perTier
            } else {
                // Compact: name, a one-row histogram (pairs of buckets merged when narrow), then
                // as many figures as fit.
                var x = canvas.put(tier.name, at: inner.x, y, style: CellStyle(.highlightForeground, attributes: [.bold]), limit: 8)
                x = inner.x + 9
                let merge = inner.width - 9 - 11 < summary.buckets.count
                var counts: [UInt64] = []
                for (index, bucket) in summary.buckets.enumerated() {
                    if merge && index % 2 == 1 { counts[counts.count - 1] += bucket } else { counts.append(bucket) }
                }
                let values = counts.map { Optional(Double($0)) }
                Sparkline.draw(values, maximum: Double(max(1, counts.max() ?? 1)), at: x, y: y, width: values.count, role: .latencyMid, on: &canvas)
                for (index, count) in counts.enumerated() where count > 0 {
                    let bucket = merge ? min(summary.buckets.count - 1, index * 2 + 1) : index
                    canvas.restyle(Rect(x: x + index, y: y, width: 1, height: 1)) { $0.foreground = role(bucket: bucket, of: summary.buckets.count) }
                }
                x += values.count
                // As many figures as fit, most telling first.
                let s = summary
                let figures = [("p95", DisplayFormat.latency(s.p95)), ("p99", DisplayFormat.latency(s.p99)), ("p50", DisplayFormat.latency(s.p50)), ("", DisplayFormat.rate(tier.requestsPerSecond))]
                for (name, text) in figures {
                    let piece = name.isEmpty ? " \(text)" : " \(name) \(text)"
                    guard x + Canvas.displayWidth(of: piece) <= inner.maxX else { break }
                    x = canvas.put(piece, at: x, y, style: CellStyle(name.isEmpty ? .mainForeground : .dimForeground))
                }
                y += max(1, perTier)
            }
        }
    }

    private static func drawStats(_ tier: TierSnapshot, at x: Int, y: Int, width: Int, on canvas: inout Canvas) {
        let s = tier.recentLatency
        let end = x + width
        var column = canvas.put(tier.name, at: x, y, style: CellStyle(.highlightForeground, attributes: [.bold]), limit: 10)
        column = max(column, x + 9)
        for (name, value) in [("p50", s.p50), ("p95", s.p95), ("p99", s.p99)] {
            column = canvas.put(" \(name) ", at: column, y, style: CellStyle(.dimForeground), limit: end - column)
            column = canvas.put(DisplayFormat.latency(value), at: column, y, style: CellStyle(ProvidersPane.latencyRole(value), attributes: [.bold]), limit: end - column)
        }
        column = canvas.put("  ", at: column, y, style: .plain, limit: end - column)
        column = canvas.put(DisplayFormat.rate(tier.requestsPerSecond), at: column, y, style: CellStyle(.mainForeground, attributes: [.bold]), limit: end - column)
        canvas.put(" · \(DisplayFormat.count(Int(s.count))) in window", at: column, y, style: CellStyle(.dimForeground), limit: end - column)
    }

    /// Vertical bars, one per bucket, over `height - 1` rows, with the bucket labels below.
    private static func drawHistogram(_ buckets: [UInt64], x: Int, top: Int, height: Int, width: Int, on canvas: inout Canvas) {
        guard !buckets.isEmpty, height >= 2 else { return }
        let columnWidth = max(1, min(5, width / buckets.count))
        let barWidth = max(1, columnWidth - 1)
        let maximum = Double(buckets.max() ?? 0)
        let bottom = top + height - 2
        for (index, count) in buckets.enumerated() {
            let bx = x + index * columnWidth
            guard bx + barWidth <= x + width else { break }
            if count > 0, maximum > 0 {
                Sparkline.verticalBar(fraction: Double(count) / maximum, x: bx, bottom: bottom, height: height - 1, width: barWidth, role: role(bucket: index, of: buckets.count), on: &canvas)
            } else {
                canvas.put(String(repeating: canvas.glyphs.isUnicode ? "▁" : "_", count: barWidth), at: bx, bottom, style: CellStyle(.dimForeground))
            }
            // Labels every other bucket when they do not fit under each.
            if columnWidth >= 4 || index % 2 == 0 {
                let label = bucketLabels.indices.contains(index) ? bucketLabels[index] : ""
                canvas.put(label, at: bx, bottom + 1, style: CellStyle(.dimForeground), limit: min(x + width - bx, columnWidth >= 4 ? columnWidth : columnWidth * 2))
            }
        }
    }

    /// The gradient colour of bucket `index`: fast green, middle amber, slow red.
    static func role(bucket index: Int, of count: Int) -> StyleRole {
        // Buckets up to 200 ms are fast, up to 2 s middling, beyond slow.
        if index <= 7 { return .latencyStart }
        if index <= 10 { return .latencyMid }
        return .latencyEnd
    }
}
