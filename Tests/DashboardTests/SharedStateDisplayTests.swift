import Dashboard
import Foundation
import ServingEngine
import Testing

/// In a fleet the header shows the shared state and the Providers pane the replicas and who
/// set each override; alone, neither changes (the snapshot tests cover that).
@Suite struct SharedStateDisplayTests {
    static func render(_ shared: SharedStateStatus, override origin: OverrideChange?) -> String {
        var snapshot = Fixtures.snapshot
        snapshot.sharedState = shared
        if let index = snapshot.providers.firstIndex(where: { $0.override != .auto }) {
            snapshot.providers[index].overrideOrigin = origin
        }
        let base = Fixtures.frame(width: 160, height: 48)
        let frame = DashboardFrame(snapshot: snapshot, state: base.state, console: base.console, themeName: "default", gatewayAddress: nil, gatewayNote: "not built yet", utcOffset: 0)
        var canvas = Canvas(width: 1, height: 1)
        DashboardRenderer.render(frame, into: &canvas)
        return canvas.text
    }

    static let replicas = [SharedStateStatus.Replica(id: "web-1-41-a", lastSeen: Fixtures.base), SharedStateStatus.Replica(id: "web-2-77-b", lastSeen: Fixtures.base)]

    @Test func aConnectedFleetShowsItsReplicasAndWhoSetAnOverride() {
        let status = SharedStateStatus(connection: .connected, replicaID: "web-1-41-a", location: "postgres://sb@db:5432/sb", replicas: Self.replicas)
        let text = Self.render(status, override: OverrideChange(provider: "finetuned-local", override: .forcedDown, setBy: "web-2-77-b", setAt: Fixtures.base))
        #expect(text.contains("shared state connected · 2 replicas"), "\(text)")
        #expect(text.contains("fleet of 2: web-1-41-a, web-2-77-b"), "\(text)")
        #expect(text.contains("override forced-down by web-2-77-b"), "\(text)")
        let local = Self.render(status, override: OverrideChange(provider: "finetuned-local", override: .forcedDown, setBy: "web-1-41-a", setAt: Fixtures.base))
        #expect(local.contains("override forced-down here"), "\(local)")
    }

    @Test func anAttachedConsoleNamesTheFleetsReplicasWithTheirHealthInTheHeader() {
        var snapshot = Fixtures.snapshot
        // web-1 beat a second ago; web-2 has been silent for 7 s (listed until the replica timeout).
        let replicas = [SharedStateStatus.Replica(id: "web-1-41-a", lastSeen: snapshot.takenAt.addingTimeInterval(-1)),
                        SharedStateStatus.Replica(id: "web-2-77-b", lastSeen: snapshot.takenAt.addingTimeInterval(-7))]
        snapshot.sharedState = SharedStateStatus(connection: .connected, replicaID: "web-1-41-a", location: "postgres://sb@db:5432/sb", replicas: replicas)
        let base = Fixtures.frame(width: 160, height: 48)
        let attachment = DashboardAttachment(target: "http://10.0.0.5:8080", state: "live", health: .live)
        var canvas = Canvas(width: 1, height: 1)
        DashboardRenderer.render(DashboardFrame(snapshot: snapshot, state: base.state, attachment: attachment), into: &canvas)
        let header = String(canvas.text.split(separator: "\n")[0])
        #expect(header.contains("attached http://10.0.0.5:8080 · live"), "\(header)")
        #expect(header.contains("shared state 2 replicas: web-1-41-a* ok, web-2-77-b silent 7s"), "\(header)")
        // The fleet comes right after the attachment, before the totals a long header may cut.
        #expect(header.range(of: "shared state")!.lowerBound < header.range(of: "req ")!.lowerBound, "\(header)")
        #expect(!header.contains("gateway"), "an attached console has no gateway of its own: \(header)")

        snapshot.sharedState.replicas[1].lastSeen = snapshot.takenAt
        DashboardRenderer.render(DashboardFrame(snapshot: snapshot, state: base.state, attachment: attachment), into: &canvas)
        let healthy = String(canvas.text.split(separator: "\n")[0])
        #expect(healthy.contains("2 replicas: web-1-41-a* ok, web-2-77-b ok"), "\(healthy)")
    }

    @Test func aDisconnectedReplicaSaysSoWithItsQueuedWrites() {
        let status = SharedStateStatus(connection: .disconnected(reason: "connection refused"), replicaID: "web-1-41-a", replicas: Self.replicas, queuedWrites: 12)
        let text = Self.render(status, override: nil)
        #expect(text.contains("shared state disconnected · 12 queued"), "\(text)")
    }
}
