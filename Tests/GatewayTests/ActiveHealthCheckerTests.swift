@testable import Gateway
import Logging
import ServingEngine
import Synchronization
import Testing

/// The active checker reports probe results to the engine as health-check results, never as
/// operator overrides: two failed probes in a row take a provider out, the first good probe puts
/// it back, and nothing is logged as an operator act or published to the fleet.
@Suite("Active health checker")
struct ActiveHealthCheckerTests {
    static let yaml = "providers:\n  - name: a\n  - name: b\ntiers:\n  - name: t\n    chain: [a, b]\n"

    @Test func twoFailedProbesTakeAProviderOutAndTheFirstGoodOneGivesItBack() async throws {
        let engine = try ServingEngine(configuration: ConfigurationLoader.parse(Self.yaml, source: "checks.yaml"))
        let published = Mutex<[SharedChange]>([])
        engine.attachSharedState(replicaID: "r1") { change in published.withLock { $0.append(change) } }
        let remote = RemoteProviders(source: "checks.yaml", environment: [:])
        let checker = ActiveHealthChecker(engine: engine, remote: remote, logger: Logger(label: "checks") { _ in SwiftLogNoOpLogHandler() })
        func state() -> ProviderState? { engine.snapshot().providers.first { $0.name == "a" }?.state }
        let refused = ProviderFailure(.connection, "connection refused")

        #expect(checker.record("a", failure: refused) == nil)
        #expect(state() == .healthy)
        #expect(checker.record("a", failure: refused) == .failing(refused.description))
        #expect(state() == .healthCheckFailing)
        #expect(checker.results["a"]?.hasPrefix("failing (2× in a row)") == true)
        #expect(checker.record("a", failure: nil) == .passing)
        #expect(state() == .healthy)
        #expect(checker.results["a"] == "ok")

        let snapshot = engine.snapshot()
        #expect(snapshot.providers.allSatisfy { $0.override == .auto })
        #expect(!snapshot.activity.contains { entry in
            if case .event(let event) = entry { return event.kind == .operator }
            return false
        })
        #expect(published.withLock { $0.isEmpty })
        try await remote.shutdown()
    }
}
