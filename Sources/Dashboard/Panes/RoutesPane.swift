import ServingEngine

/// The live log of route decisions and operator events, newest on top.
enum RoutesPane {
    private struct Column {
        var title: String
        var width: Int
        var right = false
    }

    static func draw(_ frame: DashboardFrame, in rect: Rect, focused: Bool, on canvas: inout Canvas) {
        let state = frame.state
        let activity = state.routes(live: frame.snapshot.activity)
        let offset = min(state.routesOffset, max(0, activity.count - 1))
        var badge = offset > 0 ? "scrolled \(offset) back · Home follows" : "newest first"
        if state.isFrozen { badge = "FROZEN · Z follows live · " + badge }
        if let threshold = frame.state.routerThreshold, let cheapest = frame.snapshot.routerThresholds.min(by: { $0.upTo < $1.upTo }) {
            let router = frame.snapshot.router
            badge = "\(router.strategy) · \(cheapest.tier) ≤ \(DisplayFormat.score(threshold)) · \(Int((router.recentStrongShare * 100).rounded()))% past \(cheapest.tier) · " + badge
        }
        let title = state.filter.map { "\(PaneID.routes.title) · filter \($0.source) (\(state.hiddenByFilter) hidden)" } ?? PaneID.routes.title
        canvas.box(rect, title: title, focused: focused, badge: badge)
        let inner = rect.inset(by: 1)
        guard inner.height >= 2, inner.width >= 20 else { return }
        let wide = inner.width >= 88
        let medium = inner.width >= 64
        var columns: [Column] = [Column(title: "time", width: 8)]
        if wide { columns.append(Column(title: "tenant", width: 7)) }
        let providerWidth = wide ? 24 : (medium ? 20 : 15)
        let fixedTail: [Column] = (wide ? [Column(title: "score", width: 5, right: true)] : [])
            + (medium ? [Column(title: "tier", width: 8)] : [])
            + [Column(title: "cache", width: medium ? 8 : 5), Column(title: "provider", width: providerWidth), Column(title: "latency", width: medium ? 7 : 5, right: true)]
            + (wide ? [Column(title: "status", width: 6)] : [])
        let used = (columns + fixedTail).reduce(0) { $0 + $1.width + 1 }
        columns.append(Column(title: "prompt", width: max(6, inner.width - used - 1)))
        columns += fixedTail

        let heading = CellStyle(.dimForeground, attributes: [.underline])
        var x = inner.x
        for column in columns {
            if column.right { canvas.putRight(column.title, endingAt: x + column.width, inner.y, style: heading) } else { canvas.put(column.title, at: x, inner.y, style: heading, limit: column.width) }
            x += column.width + 1
        }

        for (row, entry) in activity.dropFirst(offset).prefix(inner.height - 1).enumerated() {
            let y = inner.y + 1 + row
            let time = DisplayFormat.clock(entry.time, offset: frame.utcOffset)
            switch entry {
            case .event(let event):
                var x = canvas.put(time, at: inner.x, y, style: CellStyle(.dimForeground))
                let (mark, role): (String, StyleRole) = switch event.kind {
                case .operator: ("operator", .highlightForeground)
                case .breaker: ("breaker", .healthWarn)
                case .health: ("health", .healthWarn)
                case .info: ("info", .dimForeground)
                }
                x = canvas.put(" \(mark): ", at: x, y, style: CellStyle(role, attributes: [.bold]))
                canvas.put(event.message, at: x, y, style: CellStyle(role), limit: inner.maxX - x)
            case .decision(let record):
                drawDecision(record, time: time, columns: columns, y: y, inner: inner, on: &canvas)
            }
        }
        if focused, !activity.isEmpty, inner.height > 1 {
            // The cursor row: Enter inspects it.
            canvas.restyle(Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: 1)) { $0.background = .selectedBackground }
        }
        if activity.isEmpty, state.filter != nil {
            canvas.put("no entries match the filter (\\ edits it, Esc in the filter line clears it)", at: inner.x, inner.y + 1, style: CellStyle(.dimForeground), limit: inner.width)
        } else if activity.isEmpty {
            canvas.put("no requests yet: traffic is \(frame.snapshot.traffic.paused ? "paused (p resumes)" : "starting")", at: inner.x, inner.y + 1, style: CellStyle(.dimForeground), limit: inner.width)
        }
    }

    private static func drawDecision(_ record: DecisionRecord, time: String, columns: [Column], y: Int, inner: Rect, on canvas: inout Canvas) {
        let failed = !record.status.isSuccess
        let baseRole: StyleRole = failed ? .healthDown : .mainForeground
        var x = inner.x
        for column in columns {
            let limit = min(column.width, inner.maxX - x)
            guard limit > 0 else { break }
            switch column.title {
            case "time":
                canvas.put(time, at: x, y, style: CellStyle(.dimForeground), limit: limit)
            case "tenant":
                canvas.put(record.tenant, at: x, y, style: CellStyle(record.origin == .console ? .highlightForeground : .dimForeground), limit: limit)
            case "prompt":
                canvas.put(record.promptExcerpt, at: x, y, style: CellStyle(baseRole), limit: limit)
            case "score":
                canvas.putRight(DisplayFormat.score(record.route.score), endingAt: x + column.width, y, style: CellStyle(.dimForeground))
            case "tier":
                // A tier the tenant's budget chose is marked `$` (the console and headers say why).
                let tier = record.route.budget == nil ? record.route.tier : record.route.tier + "$"
                canvas.put(tier, at: x, y, style: CellStyle(record.route.budget != nil ? .healthWarn : record.route.tier == "frontier" ? .highlightForeground : .mainForeground), limit: limit)
            case "cache":
                let (text, role) = cacheLabel(record.cache, short: column.width < 8)
                canvas.put(text, at: x, y, style: CellStyle(role), limit: limit)
            case "provider":
                drawChain(record, at: x, y: y, limit: limit, on: &canvas)
            case "latency":
                canvas.putRight(DisplayFormat.latency(record.latency), endingAt: x + column.width, y, style: CellStyle(ProvidersPane.latencyRole(record.latency)))
            case "status":
                let (text, role) = statusLabel(record.status, fallback: record.isFallback)
                canvas.put(text, at: x, y, style: CellStyle(role, attributes: failed ? [.bold] : []), limit: limit)
            default:
                break
            }
            x += column.width + 1
        }
    }

    /// `exact`, `sem .93`, `miss`, `bypass`, `off`, `emb-err` (the embedder failed; a miss).
    static func cacheLabel(_ outcome: CacheOutcome, short: Bool) -> (String, StyleRole) {
        switch outcome {
        case .exact: return (short ? "exact" : "exact", .cacheHit)
        case .semantic(let similarity, _):
            // ".93" keeps the column narrow; a similarity that rounds to 1 must still read "1.00".
            let text = DisplayFormat.score(similarity)
            return (short ? "sem" : "sem \(text.hasPrefix("0") ? String(text.dropFirst()) : text)", .cacheHit)
        case .miss: return ("miss", .cacheMiss)
        case .bypass: return ("bypass", .dimForeground)
        case .disabled: return ("off", .dimForeground)
        case .unavailable: return (short ? "err" : "emb-err", .healthWarn)
        }
    }

    private static func statusLabel(_ status: DecisionRecord.Status, fallback: Bool) -> (String, StyleRole) {
        switch status {
        case .ok: fallback ? ("fallbk", .routeFallback) : ("ok", .healthOK)
        case .failed: ("FAILED", .healthDown)
        case .interrupted: ("broken", .healthDown)
        case .cancelled: ("cancel", .dimForeground)
        }
    }

    /// The answering provider, after the ones that failed or were skipped before it:
    /// `finetuned-local✗ gpt-cloud`.
    private static func drawChain(_ record: DecisionRecord, at x: Int, y: Int, limit: Int, on canvas: inout Canvas) {
        let end = x + limit
        var column = x
        if record.isCacheHit && record.provider == nil || record.attempts.isEmpty && record.isCacheHit {
            canvas.put("cache", at: column, y, style: CellStyle(.cacheHit), limit: limit)
            return
        }
        let mark = canvas.glyphs.isUnicode ? "✗" : "x"
        let skip = canvas.glyphs.isUnicode ? "⊘" : "-"
        var seen: Set<String> = []
        var before: [(String, StyleRole)] = []
        for attempt in record.attempts {
            guard !seen.contains(attempt.provider), attempt.provider != record.provider else { continue }
            switch attempt.outcome {
            case .succeeded: continue
            case .failed: before.append((attempt.provider + mark, .healthDown))
            case .skipped: before.append((attempt.provider + skip, .dimForeground))
            }
            seen.insert(attempt.provider)
        }
        // Abbreviate the earlier providers (`finetuned⊘`) when the full chain does not fit.
        let answerWidth = Canvas.displayWidth(of: record.provider ?? "none")
        let fullWidth = before.reduce(answerWidth) { $0 + Canvas.displayWidth(of: $1.0) + 1 }
        if fullWidth > limit {
            before = before.map { text, role in
                let name = text.dropLast()
                let short = name.split(separator: "-").first.map(String.init) ?? String(name)
                return ((short.count >= 3 ? short : String(name.prefix(6))) + String(text.last!), role)
            }
        }
        for (text, role) in before where column < end {
            column = canvas.put(text + " ", at: column, y, style: CellStyle(role), limit: end - column)
        }
        guard column < end else { return }
        if let provider = record.provider {
            canvas.put(provider, at: column, y, style: CellStyle(record.isFallback ? .routeFallback : .routePrimary, attributes: record.isFallback ? [.bold] : []), limit: end - column)
        } else {
            canvas.put("none", at: column, y, style: CellStyle(.healthDown, attributes: [.bold]), limit: end - column)
        }
    }
}
