import Synchronization
import Testing
@testable import ServingEngine

/// A provider that takes injected faults without being a ``SimulatedProvider``.
private final class RecordingFaultProvider: FaultInjectable {
    let name: String
    let model = "recording"
    let injected = Mutex<[FaultProfile]>([])

    init(_ name: String) { self.name = name }

    func setFaults(_ faults: FaultProfile) { injected.withLock { $0.append(faults) } }

    func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
        AsyncThrowingStream { $0.finish(throwing: ProviderFailure(.serverError, "not used")) }
    }
}

@Suite("Fault injection through FaultInjectable")
struct FaultInjectionTests {
    @Test func faultsGoToAnyProviderThatTakesThemAndOthersAreRefusedAsBefore() throws {
        var configuration = try ConfigurationLoader.parse("providers:\n  - name: a\n  - name: b\n  - name: c\ntiers:\n  - name: t\n    chain: [a, b, c]\n", source: "test.yaml")
        configuration.resilience.retry = RetryPolicy(maxAttemptsPerProvider: 1)
        let recording = RecordingFaultProvider("b")
        let engine = try ServingEngine(configuration: configuration, providers: [recording, ScriptedProvider("c")])
        let faults = FaultProfile(errorRate: 0.5, kinds: [.timeout], slowdown: 2)

        #expect(try engine.perform(.injectFaults(provider: "b", faults)) == "b: injecting 50 % timeout faults, 2.0× latency")
        #expect(recording.injected.withLock { $0 } == [faults])
        #expect(throws: CommandError("c is not simulated; faults can only be injected into simulated providers")) {
            try engine.perform(.injectFaults(provider: "c", faults))
        }
        #expect(throws: CommandError("no provider named 'z'")) { try engine.perform(.injectFaults(provider: "z", faults)) }
        #expect(try engine.perform(.injectFaults(provider: "a", FaultProfile())) == "a: injected faults cleared")
    }
}
