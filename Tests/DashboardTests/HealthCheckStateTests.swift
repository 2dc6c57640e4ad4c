import Dashboard
import ServingEngine
import Testing

/// A provider whose active health checks fail is shown as such, with the check's reason, and
/// not as an operator's override.
@Suite struct HealthCheckStateTests {
    func providersPane(_ change: (inout ProviderSnapshot) -> Void) -> String {
        var frame = Fixtures.frame(width: 160, height: 48)
        change(&frame.snapshot.providers[0])
        let rect = frame.state.layout.rect(.providers)
        var canvas = Canvas(width: rect.width, height: rect.height, monochrome: true)
        DashboardRenderer.draw(.providers, frame: frame, in: Rect(x: 0, y: 0, width: rect.width, height: rect.height), on: &canvas)
        return SnapshotText.of(canvas)
    }

    @Test func aFailingHealthCheckIsShownWithItsReason() {
        let text = providersPane { provider in
            provider.state = .healthCheckFailing
            provider.override = .auto
            provider.breakerReason = nil
            provider.healthCheckFailure = "connection refused"
        }
        let row = text.split(separator: "\n").first { $0.contains("check failed") }
        #expect(row?.contains("health check failing: connection refused") == true)
        #expect(row?.contains("override") == false)
        #expect(!ProviderState.healthCheckFailing.canAnswer)
    }
}
