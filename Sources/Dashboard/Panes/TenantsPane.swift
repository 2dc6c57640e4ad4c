import ServingEngine

/// One row per tenant, in place of the providers when `T` is pressed: requests and tokens in
/// the last minute against their limits, in flight, spend today against the daily budget as a
/// bar (and the step in force), and how many requests its limits refused.
enum TenantsPane {
    static func draw(_ frame: DashboardFrame, in rect: Rect, focused: Bool, on canvas: inout Canvas) {
        let tenants = frame.snapshot.tenants
        let limited = tenants.filter(\.configured).count
        canvas.box(rect, title: "Tenants", focused: focused, badge: "\(tenants.count) tenants, \(limited) with limits\(Self.fleetBadge(frame.snapshot.sharedState, tenants)) · T providers · /limit /block")
        let inner = rect.inset(by: 1)
        guard !inner.isEmpty else { return }
        // (heading, width, right-aligned)
        let columns: [(String, Int, Bool)] = [("tenant", 12, false), ("req/min", 13, true), ("tok/min", 19, true), ("infl", 4, true), ("spend today / budget", 38, false), ("throttled", 9, true)]
        let heading = CellStyle(.dimForeground, attributes: [.underline])
        var x = inner.x + 1
        for (title, width, right) in columns {
            if right { canvas.putRight(title, endingAt: x + width, inner.y, style: heading) } else { canvas.put(title, at: x, inner.y, style: heading, limit: width) }
            x += width + 1
        }
        let detailX = x
        let detailWidth = inner.maxX - detailX
        if detailWidth > 6 { canvas.put("limits · budget step", at: detailX, inner.y, style: heading, limit: detailWidth) }
        if tenants.isEmpty {
            canvas.put("no tenant has sent a request yet; limits come from tenants[] in the configuration or /limit @tenant …", at: inner.x + 1, inner.y + 1, style: CellStyle(.dimForeground), limit: inner.width - 1)
            return
        }
        for (index, tenant) in tenants.enumerated() {
            let y = inner.y + 1 + index
            guard y < inner.maxY else { break }
            var column = inner.x + 1
            func cell(_ text: String, _ width: Int, right: Bool, _ role: StyleRole) {
                if right { canvas.putRight(text, endingAt: column + width, y, style: CellStyle(role)) } else { canvas.put(text, at: column, y, style: CellStyle(role), limit: width) }
                column += width + 1
            }
            cell(tenant.name, 12, right: false, tenant.limits.blocked ? .healthDown : .mainForeground)
            cell(Self.use(tenant.requestsLastMinute, of: tenant.limits.requestsPerMinute), 13, right: true, Self.role(tenant.requestsLastMinute, of: tenant.limits.requestsPerMinute))
            cell(Self.use(tenant.tokensLastMinute, of: tenant.limits.tokensPerMinute), 19, right: true, Self.role(tenant.tokensLastMinute, of: tenant.limits.tokensPerMinute))
            cell("\(tenant.inFlight)", 4, right: true, .mainForeground)
            drawBudget(tenant, at: column, y, width: 38, on: &canvas)
            column += 39
            let throttled = tenant.counters.throttledTotal
            cell(DisplayFormat.count(throttled), 9, right: true, throttled > 0 ? .healthWarn : .dimForeground)
            if detailWidth > 6 {
                // What matters now first: the budget step in force, decisions taken without the
                // fleet's database, then the limits (a block leads them).
                var parts: [String] = []
                if let step = tenant.budget?.step { parts.append("now: \(step.summary)") }
                if tenant.counters.failedClosed > 0 { parts.append("\(DisplayFormat.count(tenant.counters.failedClosed)) failed closed") }
                if tenant.counters.failedOpen > 0 { parts.append("\(DisplayFormat.count(tenant.counters.failedOpen)) failed open") }
                if tenant.counters.steered > 0 { parts.append("\(DisplayFormat.count(tenant.counters.steered)) steered") }
                parts.append(tenant.configured ? tenant.limits.summary : "no limits (counted only)")
                let detail = parts.joined(separator: " · ")
                canvas.put(detail, at: detailX, y, style: CellStyle(tenant.limits.blocked ? .healthDown : .dimForeground), limit: detailWidth)
            }
        }
    }

    /// ` · fleet: fail closed, db away, 12 failed closed` — in a fleet only: the policy for an
    /// outage of the database, whether one is under way, and the decisions it forced.
    static func fleetBadge(_ status: SharedStateStatus, _ tenants: [TenantSnapshot]) -> String {
        guard let policy = status.onUnavailable else { return "" }
        var text = " · fleet: fail \(policy.rawValue)"
        if case .disconnected = status.connection { text += ", db away" }
        let open = tenants.reduce(0) { $0 + $1.counters.failedOpen }
        let closed = tenants.reduce(0) { $0 + $1.counters.failedClosed }
        if open > 0 { text += ", \(DisplayFormat.count(open)) failed open" }
        if closed > 0 { text += ", \(DisplayFormat.count(closed)) failed closed" }
        return text
    }

    /// `$0.42 ██████░░░░ 42% /$1` — today's spend, a bar of the most-used budget, its size.
    private static func drawBudget(_ tenant: TenantSnapshot, at x: Int, _ y: Int, width: Int, on canvas: inout Canvas) {
        let spent = DisplayFormat.usd(tenant.spentTodayUSD)
        guard let budget = tenant.budget else {
            canvas.put(spent + "  no budget", at: x, y, style: CellStyle(.dimForeground), limit: width)
            return
        }
        let used = budget.usedPercent
        let role: StyleRole = used >= 100 ? .healthDown : used >= (tenant.limits.onBudget.first?.atPercent ?? 80) ? .healthWarn : .healthOK
        let label = spent.padding(toLength: 8, withPad: " ", startingAt: 0)
        canvas.put(label, at: x, y, style: CellStyle(.mainForeground), limit: 8)
        let barWidth = 12
        let filled = min(barWidth, Int((used / 100 * Double(barWidth)).rounded()))
        let full = canvas.glyphs.isUnicode ? "█" : "#"
        let empty = canvas.glyphs.isUnicode ? "░" : "."
        canvas.put(String(repeating: full, count: filled), at: x + 9, y, style: CellStyle(role))
        canvas.put(String(repeating: empty, count: barWidth - filled), at: x + 9 + filled, y, style: CellStyle(.dimForeground))
        let period = budget.limit == .dailyBudget ? "day" : "mo"
        canvas.put("\(Int(used.rounded(.down)))% of \(DisplayFormat.usd(budget.budgetUSD))/\(period)", at: x + 10 + barWidth, y, style: CellStyle(role), limit: width - barWidth - 10)
    }

    private static func use(_ value: Int, of limit: Int?) -> String {
        limit.map { "\(DisplayFormat.count(value))/\(DisplayFormat.count($0))" } ?? DisplayFormat.count(value)
    }

    private static func role(_ value: Int, of limit: Int?) -> StyleRole {
        guard let limit, limit > 0 else { return .mainForeground }
        let share = Double(value) / Double(limit)
        return share >= 1 ? .healthDown : share >= 0.8 ? .healthWarn : .mainForeground
    }
}
