import ServingEngine

/// Cache hit rates now and over time, size, evictions, embedder, and the latest semantic hits.
enum CachePane {
    static func draw(_ frame: DashboardFrame, in rect: Rect, focused: Bool, on canvas: inout Canvas) {
        let snapshot = frame.snapshot
        let cache = snapshot.cache
        canvas.box(rect, title: PaneID.cache.title, focused: focused, badge: cache.enabled ? cache.embedder : "off")
        let inner = rect.inset(by: 1)
        guard !inner.isEmpty else { return }
        let dim = CellStyle(.dimForeground)
        let value = CellStyle(.highlightForeground, attributes: [.bold])
        var y = inner.y

        // Hit rate now and since start, split exact / semantic.
        let totals = snapshot.totals
        let requests = max(1, totals.requests)
        var x = canvas.put("hit ", at: inner.x, y, style: dim)
        x = canvas.put(DisplayFormat.percent(snapshot.recentHitRate), at: x, y, style: CellStyle(.cacheHit, attributes: [.bold]))
        x = canvas.put(" now · exact ", at: x, y, style: dim, limit: inner.maxX - x)
        x = canvas.put(DisplayFormat.percent(Double(totals.exactHits) / Double(requests)), at: x, y, style: CellStyle(.cacheHit), limit: inner.maxX - x)
        x = canvas.put(" sem ", at: x, y, style: dim, limit: inner.maxX - x)
        x = canvas.put(DisplayFormat.percent(Double(totals.semanticHits) / Double(requests)), at: x, y, style: CellStyle(.cacheHit), limit: inner.maxX - x)
        canvas.put(" since start", at: x, y, style: dim, limit: inner.maxX - x)
        y += 1
        guard y < inner.maxY else { return }

        // Sparkline of the hit rate per 10 s over the last 10 minutes.
        let label = "10 min "
        x = canvas.put(label, at: inner.x, y, style: dim)
        let graphWidth = max(0, min(snapshot.hitRateHistory.count, inner.maxX - x - 5))
        Sparkline.draw(snapshot.hitRateHistory, maximum: 1, at: x, y: y, width: graphWidth, role: .cacheHit, on: &canvas)
        canvas.put(" now", at: x + graphWidth, y, style: dim, limit: inner.maxX - x - graphWidth)
        y += 1
        guard y < inner.maxY else { return }

        // Size and churn.
        let stats = cache.statistics
        x = canvas.put("entries ", at: inner.x, y, style: dim)
        x = canvas.put(DisplayFormat.count(stats.entries), at: x, y, style: value, limit: inner.maxX - x)
        x = canvas.put(" mem ", at: x, y, style: dim, limit: inner.maxX - x)
        x = canvas.put(DisplayFormat.bytes(stats.bytes), at: x, y, style: value, limit: inner.maxX - x)
        x = canvas.put("/\(DisplayFormat.bytes(cache.maxBytes))", at: x, y, style: dim, limit: inner.maxX - x)
        x = canvas.put(" evicted ", at: x, y, style: dim, limit: inner.maxX - x)
        canvas.put(DisplayFormat.count(stats.evictions + stats.expirations), at: x, y, style: value, limit: inner.maxX - x)
        y += 1
        guard y < inner.maxY else { return }

        x = canvas.put("embedder ", at: inner.x, y, style: dim)
        x = canvas.put(cache.embedder, at: x, y, style: CellStyle(.mainForeground), limit: inner.maxX - x)
        if let variant = cache.embedderVariant {
            x = canvas.put(" (\(variant))", at: x, y, style: dim, limit: inner.maxX - x)
        }
        x = canvas.put(" · hits: ", at: x, y, style: dim, limit: inner.maxX - x)
        let rule = canvas.glyphs.isUnicode ? cache.decisionRule : cache.decisionRule.replacingOccurrences(of: "≥", with: ">=").replacingOccurrences(of: "≤", with: "<=")
        x = canvas.put(rule, at: x, y, style: CellStyle(.mainForeground), limit: inner.maxX - x)
        if totals.embedderFailures > 0 {
            // Each one was a lookup skipped (a miss) because the embedder failed or stalled.
            x = canvas.put(" · failures ", at: x, y, style: dim, limit: inner.maxX - x)
            canvas.put(DisplayFormat.count(totals.embedderFailures), at: x, y, style: CellStyle(.healthWarn, attributes: [.bold]), limit: inner.maxX - x)
        }
        y += 1
        guard y < inner.maxY else { return }

        canvas.put("latest semantic hits (similarity  query ≈ matched)", at: inner.x, y, style: CellStyle(.dimForeground, attributes: [.underline]), limit: inner.width)
        y += 1
        if cache.recentSemanticHits.isEmpty, y < inner.maxY {
            canvas.put("none yet", at: inner.x, y, style: dim, limit: inner.width)
        }
        let approx = canvas.glyphs.isUnicode ? " ≈ " : " ~ "
        for hit in cache.recentSemanticHits where y < inner.maxY {
            var x = canvas.put(DisplayFormat.score(hit.similarity) + " ", at: inner.x, y, style: CellStyle(.cacheHit))
            let room = inner.maxX - x
            let half = max(4, (room - 3) / 2)
            x = canvas.put(hit.query, at: x, y, style: CellStyle(.mainForeground), limit: half)
            x = canvas.put(approx, at: x, y, style: dim, limit: inner.maxX - x)
            canvas.put(hit.matchedPrompt, at: x, y, style: dim, limit: inner.maxX - x)
            y += 1
        }
    }
}
