import Foundation
import Testing

@Suite("switchboard drill, end to end", .serialized)
struct DrillEndToEndTests {
    @Test func everyScenarioLosesNothingAndHangsNothing() async throws {
        let output = try await SwitchboardBinary.run(["drill", "--json", "--duration", "1", "--clients", "4"], timeout: .seconds(240))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any], "stdout: \(output.standardOutput)\nstderr: \(output.standardError)")
        let scenarios = try #require(report["scenarios"] as? [[String: Any]])
        #expect(scenarios.count == 12)
        for scenario in scenarios {
            let name = scenario["scenario"] as? String ?? "?"
            #expect(scenario["lost"] as? Int == 0, "\(name): \(scenario)")
            #expect(scenario["hung"] as? Int == 0, "\(name): \(scenario)")
            #expect((scenario["sent"] as? Int ?? 0) > 0, "\(name) sent requests")
        }
        #expect(report["ok"] as? Bool == true, "\(output.standardError)")
        #expect(output.status == 0)
    }

    /// Many clients on kept-alive connections make it likely that one sends its next request
    /// just as the drain starts: without the drain's linger, most runs lost a request to a reset.
    @Test func aDrainUnderManyKeptAliveClientsLosesNothing() async throws {
        let output = try await SwitchboardBinary.run(["drill", "--json", "--scenario", "sigterm-drain", "--duration", "1", "--clients", "32"], timeout: .seconds(120))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any], "stdout: \(output.standardOutput)\nstderr: \(output.standardError)")
        let scenario = try #require((report["scenarios"] as? [[String: Any]])?.first)
        #expect(scenario["lost"] as? Int == 0, "\(scenario)")
        #expect(scenario["hung"] as? Int == 0, "\(scenario)")
        #expect(report["ok"] as? Bool == true, "\(output.standardError)")
    }

    @Test func anUnknownScenarioIsRefusedWithTheList() async throws {
        let output = try await SwitchboardBinary.run(["drill", "--scenario", "meteor-strike"])
        #expect(output.status != 0)
        #expect(output.standardError.contains("unknown scenario 'meteor-strike'"))
        #expect(output.standardError.contains("sigkill-restart"))
    }
}
