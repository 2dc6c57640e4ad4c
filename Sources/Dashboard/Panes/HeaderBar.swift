import ServingEngine

/// The top line: totals, traffic, shared state (in a fleet) and the gateway address; shorter
/// labels below 130 columns.
enum HeaderBar {
    /// A replica silent longer than this (three of its 1 s heartbeats) is shown as silent.
    static let replicaSilence: Double = 3

    private struct Item {
        var label: String
        var shortLabel: String
        var value: String
        var role: StyleRole?
    }

    static func draw(_ frame: DashboardFrame, in rect: Rect, on canvas: inout Canvas) {
        guard !rect.isEmpty else { return }
        let bar = CellStyle(.mainForeground, background: .selectedBackground)
        canvas.fill(rect, style: bar)
        let s = frame.snapshot
        let compact = rect.width < 130
        let label = CellStyle(.dimForeground, background: .selectedBackground)
        let value = CellStyle(.highlightForeground, background: .selectedBackground, attributes: [.bold])
        let rate = DisplayFormat.rate(s.traffic.rate)
        let traffic = s.traffic.enabled ? (s.traffic.paused ? "\(rate) paused" : rate) : "off"
        let gateway = frame.gatewayAddress ?? (compact ? "off" : "off (\(frame.gatewayNote))")
        var items = [
            Item(label: "req", shortLabel: "req", value: DisplayFormat.rate(s.requestsPerSecond)),
            Item(label: "hit", shortLabel: "hit", value: DisplayFormat.percent(s.recentHitRate), role: .cacheHit),
            Item(label: "spend", shortLabel: "$", value: DisplayFormat.usd(s.totals.spentUSD)),
            Item(label: "saved", shortLabel: "saved", value: DisplayFormat.percent(s.totals.savedFraction) + (compact || frame.attachment != nil ? "" : " vs frontier-only"), role: .healthOK),
            Item(label: "up", shortLabel: "up", value: DisplayFormat.uptime(s.uptime)),
            Item(label: "traffic", shortLabel: "traf", value: traffic, role: s.traffic.paused ? .healthWarn : nil),
        ]
        if let attachment = frame.attachment {
            // A served gateway has no built-in traffic generator: its traffic is its clients'.
            items.removeAll { $0.label == "traffic" }
            let role: StyleRole = switch attachment.health {
            case .live: .healthOK
            case .waiting: .healthWarn
            case .refused: .healthDown
            }
            items.insert(Item(label: "attached", shortLabel: "@", value: "\(attachment.target) · \(attachment.state)", role: role), at: 0)
            if let share = attachment.shownShare {
                items.append(Item(label: "feed shows", shortLabel: "feed", value: DisplayFormat.percent(share) + (compact ? "" : " of decisions (sampled)"), role: .healthWarn))
            }
        } else {
            items.append(Item(label: "gateway", shortLabel: "gw", value: gateway, role: frame.gatewayAddress == nil ? .dimForeground : nil))
        }
        switch s.sharedState.connection {
        case .disabled:
            break
        case .connected:
            let replicas = s.sharedState.replicas.count
            var value = "connected · \(replicas) replica\(replicas == 1 ? "" : "s")"
            var role = StyleRole.healthOK
            if frame.attachment != nil, !compact, !s.sharedState.replicas.isEmpty {
                // An attached console names the fleet's replicas (the ones heard from within the
                // replica timeout), the one it is attached to starred, each with its health: ok
                // while its heartbeat is fresh, else how long it has been silent.
                let health = s.sharedState.replicas.map { replica in
                    let name = replica.id == s.sharedState.replicaID ? "\(replica.id)*" : replica.id
                    let silent = s.takenAt.timeIntervalSince(replica.lastSeen)
                    guard silent > Self.replicaSilence else { return "\(name) ok" }
                    role = .healthWarn
                    return "\(name) silent \(Int(silent))s"
                }
                value = "\(replicas) replica\(replicas == 1 ? "" : "s"): " + health.joined(separator: ", ")
            }
            // Attached, the fleet comes right after what the console is attached to (a long header
            // cuts the right end first).
            items.insert(Item(label: "shared state", shortLabel: "state", value: value, role: role), at: frame.attachment != nil ? 1 : min(5, items.count))
        case .disconnected:
            let queued = s.sharedState.queuedWrites
            items.insert(Item(label: "shared state", shortLabel: "state", value: "disconnected" + (queued > 0 ? " · \(queued) queued" : ""), role: .healthDown), at: min(5, items.count))
        }
        var x = canvas.put(compact ? " SB " : " Switchboard ", at: rect.x, rect.y, style: CellStyle(.borderFocus, background: .selectedBackground, attributes: [.bold]), limit: rect.width)
        for item in items {
            guard x < rect.maxX - 2 else { break }
            x = canvas.put(" \(compact ? item.shortLabel : item.label) ", at: x, rect.y, style: label, limit: rect.maxX - x)
            var style = value
            if let role = item.role { style.foreground = role }
            x = canvas.put(item.value, at: x, rect.y, style: style, limit: rect.maxX - x)
            x = canvas.put(" ", at: x, rect.y, style: bar, limit: rect.maxX - x)
        }
        let right = " \(frame.themeName) "
        if x + Canvas.displayWidth(of: right) < rect.maxX {
            canvas.putRight(right, endingAt: rect.maxX, rect.y, style: label)
        }
    }
}
