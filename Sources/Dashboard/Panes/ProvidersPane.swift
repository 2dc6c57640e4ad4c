import ServingEngine

/// One row per provider, numbered: state (with the breaker's reason and next probe), in-flight,
/// rate, error rate, p95 latency and spend; the selected row highlighted.
enum ProvidersPane {
    static func draw(_ frame: DashboardFrame, in rect: Rect, focused: Bool, on canvas: inout Canvas) {
        let providers = frame.snapshot.providers
        let shared = frame.snapshot.sharedState
        let fleet = shared.connection == .disabled ? "" : " · fleet of \(shared.replicas.count): \(shared.replicas.map(\.id).joined(separator: ", "))"
        canvas.box(rect, title: PaneID.providers.title, focused: focused, badge: "\(providers.count) providers" + fleet)
        let inner = rect.inset(by: 1)
        guard !inner.isEmpty else { return }
        let wide = inner.width >= 110
        // (heading, width, right-aligned)
        var columns: [(String, Int, Bool)] = [("#", 2, false), ("provider", 16, false)]
        if wide { columns.append(("model", 16, false)) }
        columns += [("state", 14, false), ("infl", 4, true), ("rate", 7, true), ("err", 6, true), ("p95", 7, true), ("spend", 8, true)]
        let fixed = columns.reduce(0) { $0 + $1.1 + 1 } + 2
        let detailWidth = inner.width - fixed
        let heading = CellStyle(.dimForeground, attributes: [.underline])
        var x = inner.x + 2
        for (title, width, right) in columns {
            if right { canvas.putRight(title, endingAt: x + width, inner.y, style: heading) } else { canvas.put(title, at: x, inner.y, style: heading, limit: width) }
            x += width + 1
        }
        if detailWidth > 6 { canvas.put(wide ? "breaker / override" : "detail", at: x, inner.y, style: heading, limit: detailWidth) }

        for (index, provider) in providers.enumerated() {
            let y = inner.y + 1 + index
            guard y < inner.maxY else { break }
            let selected = index == frame.state.selectedProvider
            let background: StyleRole = selected ? .selectedBackground : .mainBackground
            if selected {
                canvas.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: CellStyle(background: background))
                canvas.put(String(canvas.glyphs.selection), at: inner.x, y, style: CellStyle(.borderFocus, background: background))
            }
            func style(_ role: StyleRole, _ attributes: TextAttributes = []) -> CellStyle {
                CellStyle(role, background: background, attributes: attributes)
            }
            let (stateText, stateRole) = describe(provider.state, glyphs: canvas.glyphs)
            var values: [(String, StyleRole)] = [
                (index < 9 ? "\(index + 1)" : " ", .highlightForeground),
                (provider.name, selected ? .highlightForeground : .mainForeground),
            ]
            if wide { values.append((provider.model, .dimForeground)) }
            values += [
                (stateText, stateRole),
                ("\(provider.inFlight)", .mainForeground),
                (DisplayFormat.rate(provider.requestsPerSecond), .mainForeground),
                (DisplayFormat.percent(provider.recentErrorRate), provider.recentErrorRate >= 0.2 ? .healthDown : provider.recentErrorRate > 0 ? .healthWarn : .dimForeground),
                (DisplayFormat.latency(provider.recentLatency.p95), latencyRole(provider.recentLatency.p95)),
                (DisplayFormat.usd(provider.spentUSD), .mainForeground),
            ]
            var column = inner.x + 2
            for ((_, width, right), (text, role)) in zip(columns, values) {
                if right { canvas.putRight(text, endingAt: column + width, y, style: style(role)) } else { canvas.put(text, at: column, y, style: style(role, role == stateRole && provider.state != .healthy ? [.bold] : []), limit: width) }
                column += width + 1
            }
            if detailWidth > 6 {
                var text = detail(provider, replicaID: shared.connection == .disabled ? nil : shared.replicaID)
                if let drill = frame.state.drill(for: provider.name) { text = "drill: \(drill) (e) · " + text }
                let role: StyleRole = frame.state.drill(for: provider.name) != nil || provider.breakerReason != nil || provider.healthCheckFailure != nil ? .healthWarn : .dimForeground
                canvas.put(text, at: column, y, style: style(role), limit: detailWidth)
            }
        }
    }

    /// The state's label and colour.
    static func describe(_ state: ProviderState, glyphs: BoxGlyphs) -> (String, StyleRole) {
        let dot = glyphs.isUnicode ? "●" : "*"
        switch state {
        case .healthy: return ("\(dot) healthy", .healthOK)
        case .degraded: return ("\(dot) degraded", .healthWarn)
        case .circuitOpen: return ("\(dot) circuit open", .healthDown)
        case .halfOpen: return ("\(dot) half-open", .healthWarn)
        case .forcedDown: return ("\(dot) forced down", .healthDown)
        case .forcedUp: return ("\(dot) forced up", .healthWarn)
        case .healthCheckFailing: return ("\(dot) check failed", .healthDown)
        }
    }

    /// - Parameter replicaID: this replica's id in a fleet, nil when it runs alone; in a fleet an
    ///   override says which replica set it.
    private static func detail(_ provider: ProviderSnapshot, replicaID: String?) -> String {
        var parts: [String] = []
        if let failure = provider.healthCheckFailure { parts.append("health check failing: \(failure)") }
        if let reason = provider.breakerReason { parts.append(reason) }
        if let probe = provider.nextProbeIn { parts.append("next probe in \(DisplayFormat.latency(probe))") }
        if provider.override != .auto {
            let origin = replicaID.flatMap { own in provider.overrideOrigin.map { $0.setBy == own ? " here" : " by \($0.setBy)" } } ?? ""
            parts.append("override \(provider.override.rawValue)\(origin) (a = auto)")
        }
        if parts.isEmpty { parts.append("\(provider.tiers.joined(separator: ",")) · \(DisplayFormat.count(provider.attempts)) calls, \(provider.circuitOpens) opens") }
        return parts.joined(separator: " · ")
    }

    static func latencyRole(_ duration: Duration) -> StyleRole {
        let ms = duration.milliseconds
        if ms <= 0 { return .dimForeground }
        if ms < 300 { return .latencyStart }
        if ms < 1500 { return .latencyMid }
        return .latencyEnd
    }
}
