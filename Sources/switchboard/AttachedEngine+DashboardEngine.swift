package import Dashboard
import Gateway

/// The attached console's engine is a dashboard engine: the executable wires the two together
/// (Gateway and Dashboard do not depend on each other).
extension AttachedEngine: DashboardEngine {
    /// The header's view of the link.
    package var attachment: DashboardAttachment? {
        let link = self.link
        // The server's own address only when it differs from the URL; its replica id is left to
        // the header's fleet list, which stars it.
        let address = link.server.map { $0.components(separatedBy: " · replica ").first ?? $0 }
        let target = address.flatMap { link.url.hasSuffix("//" + $0) ? nil : "\(link.url) (\($0))" } ?? link.url
        let share = link.decisionsSeen > 0 && link.decisionsShown < link.decisionsSeen ? Double(link.decisionsShown) / Double(link.decisionsSeen) : nil
        switch link.state {
        case .connecting:
            return DashboardAttachment(target: target, state: "connecting…", health: .waiting)
        case .live:
            return DashboardAttachment(target: target, state: link.reconnects > 0 ? "live (reconnected \(link.reconnects)×)" : "live", health: .live, shownShare: share)
        case .reconnecting(let reason):
            return DashboardAttachment(target: target, state: "reconnecting (\(reason))", health: .waiting, shownShare: share)
        case .refused(let reason):
            return DashboardAttachment(target: target, state: "refused: \(reason)", health: .refused)
        }
    }
}
