import Foundation
import Testing

@Suite("switchboard simulate, end to end", .serialized)
struct SimulateEndToEndTests {
    @Test func theFrontierTierKeepsAnsweringThroughTheCascadeWhileItsPrimaryIsDownAndNothingIsLost() async throws {
        // The built-in configuration with the zero-file embedder: this test is about the cascade,
        // and `auto` would load minilm when models/ holds it (a debug build cannot embed 120 prompts
        // a second on a shared 2-core machine).
        let printed = try await SwitchboardBinary.run(["print-config"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("simulate-\(UUID().uuidString).yaml").path
        try printed.standardOutput.replacingOccurrences(of: "embedder: auto", with: "embedder: hashing").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = try await SwitchboardBinary.run(["simulate", "--config", path, "--rps", "120", "--duration", "8", "--fail", "finetuned-local@2-6", "--json"])
        #expect(output.status == 0, "stderr: \(output.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
        let requests = try #require(report["requests"] as? Int)
        #expect(requests > 600, "about 960 requests expected at 120/s for 8 s")
        #expect(report["lost"] as? Int == 0)
        #expect(report["completed"] as? Int == requests)
        #expect(report["failed"] as? Int == 0)
        let cache = try #require(report["cache"] as? [String: Any])
        #expect((cache["hit_rate"] as? Double ?? 0) > 0.2)
        let tiers = try #require(report["tiers"] as? [String: [String: Any]])
        #expect((tiers["small"]?["requests"] as? Int ?? 0) > 0)
        #expect((tiers["frontier"]?["requests"] as? Int ?? 0) > 0)
        let providers = try #require(report["providers"] as? [String: [String: Any]])
        #expect((providers["finetuned-local"]?["successes"] as? Int ?? 0) > 0, "the primary answers outside the window")
        #expect((providers["gpt-cloud"]?["successes"] as? Int ?? 0) > 0, "the secondary takes over inside the window")
        #expect((report["fallbacks_during_failures"] as? Int ?? 0) > 0)
        let cost = try #require(report["cost"] as? [String: Double])
        #expect((cost["saved_pct"] ?? 0) > 0)
        #expect((cost["actual_usd"] ?? 0) < (cost["frontier_only_usd"] ?? 0))
    }

    @Test func aBadFailWindowIsRejectedWithTheExpectedForm() async throws {
        let output = try await SwitchboardBinary.run(["simulate", "--fail", "finetuned-local@12-5"])
        #expect(output.status != 0)
        #expect(output.standardError.contains("the window must start at 0 or later and end after it starts"))
    }

    @Test func failingAProviderThatDoesNotExistNamesTheKnownOnes() async throws {
        let output = try await SwitchboardBinary.run(["simulate", "--duration", "1", "--fail", "nope@0-1"])
        #expect(output.status != 0)
        #expect(output.standardError.contains("no provider named 'nope'"))
        #expect(output.standardError.contains("finetuned-local"))
    }
}

@Suite("switchboard check-config, end to end")
struct CheckConfigEndToEndTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theBuiltInConfigurationRoundTripsThroughPrintAndCheck() async throws {
        let printed = try await SwitchboardBinary.run(["print-config"])
        #expect(printed.status == 0)
        let path = try write(printed.standardOutput)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let checked = try await SwitchboardBinary.run(["check-config", path])
        #expect(checked.status == 0, "stderr: \(checked.standardError)")
        #expect(checked.standardOutput.contains("ok — 5 providers, 2 tiers"))
    }

    @Test func aBrokenLineIsReportedWithFileLineAndKey() async throws {
        let path = try write("providers:\n  - name: a\n    timeout_ms: soon\ntiers:\n  - name: t\n    chain: [a]\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = try await SwitchboardBinary.run(["check-config", path])
        #expect(output.status == 1)
        #expect(output.standardError.contains("\(path):3:17: providers[0].timeout_ms: expected a whole number from 1 to 3600000 milliseconds, got 'soon'"))
    }

    @Test func everyCommandsHelpCarriesAnExample() async throws {
        for command in [["simulate"], ["check-config"], ["print-config"], ["bench"]] {
            let output = try await SwitchboardBinary.run(command + ["--help"])
            #expect(output.status == 0)
            #expect(output.standardOutput.contains("switchboard "), "\(command) --help must show an example")
        }
    }
}
