import Foundation
import Testing
@testable import ServingEngine

/// The `tenants[]` section: read in full, and every bad value an error at its line.
@Suite("Tenants in the configuration")
struct TenantConfigurationTests {
    static let base = "providers:\n  - name: a\ntiers:\n  - name: small\n    chain: [a]\n  - name: frontier\n    chain: [a]\n"

    @Test func everyKeyIsRead() throws {
        let yaml = Self.base + """
            tenants:
              - name: acme
                requests_per_minute: 600
                tokens_per_minute: 200000
                max_concurrent: 16
                budget: { daily_usd: 5, monthly_usd: 100.5 }
                on_budget:
                  - { at_percent: 100, refuse: true }
                  - { at_percent: 80, tier: small }
              - name: globex
                blocked: true
            """
        let tenants = try ConfigurationLoader.parse(yaml, source: "t.yaml").tenants
        #expect(tenants.map(\.name) == ["acme", "globex"])
        let acme = tenants[0].limits
        #expect(acme.requestsPerMinute == 600)
        #expect(acme.tokensPerMinute == 200_000)
        #expect(acme.maxConcurrent == 16)
        #expect(acme.dailyBudgetUSD == 5)
        #expect(acme.monthlyBudgetUSD == 100.5)
        #expect(acme.onBudget == [BudgetStep(atPercent: 80, action: .tier("small")), BudgetStep(atPercent: 100, action: .refuse)])
        #expect(!acme.blocked)
        #expect(tenants[1].limits.blocked)
        #expect(tenants[1].limits.requestsPerMinute == nil)
    }

    @Test func withoutTheSectionNoTenantIsLimited() throws {
        #expect(try ConfigurationLoader.parse(Self.base, source: "t.yaml").tenants.isEmpty)
    }

    @Test(arguments: [
        ("requests_per_minute: 0", 10, "tenants[0].requests_per_minute", "expected a whole number from 1 to 100000000 requests per minute, got 0"),
        ("requests_per_minute: lots", 10, "tenants[0].requests_per_minute", "got 'lots'"),
        ("tokens_per_minute: -5", 10, "tenants[0].tokens_per_minute", "got -5"),
        ("tokens_per_minute: 1.5", 10, "tenants[0].tokens_per_minute", "whole number"),
        ("max_concurrent: 0", 10, "tenants[0].max_concurrent", "got 0"),
        ("budget: { daily_usd: -1 }", 10, "tenants[0].budget.daily_usd", "expected a number from 0 to 1000000000 USD, got -1"),
        ("budget: { daily_usd: five }", 10, "tenants[0].budget.daily_usd", "got 'five'"),
        ("budget: { weekly_usd: 3 }", 10, "tenants[0].budget.weekly_usd", "unknown key"),
        ("budget: { daily_usd: 1 }\n    on_budget: [{ at_percent: 150, tier: small }]", 11, "tenants[0].on_budget[0].at_percent", "expected a number from 1 to 100 %, got 150"),
        ("budget: { daily_usd: 1 }\n    on_budget: [{ at_percent: 80, tier: medium }]", 11, "tenants[0].on_budget[0].tier", "no tier named 'medium'; tiers: small, frontier"),
        ("budget: { daily_usd: 1 }\n    on_budget: [{ at_percent: 80 }]", 11, "tenants[0].on_budget[0]", "either 'tier: NAME'"),
        ("budget: { daily_usd: 1 }\n    on_budget: [{ at_percent: 80, tier: small, refuse: true }]", 11, "tenants[0].on_budget[0].refuse", "not both"),
        ("budget: { daily_usd: 1 }\n    on_budget: [{ at_percent: 80, tier: small }, { at_percent: 80, refuse: true }]", 11, "tenants[0].on_budget[1].at_percent", "already at 80 %"),
        ("on_budget: [{ at_percent: 80, tier: small }]", 10, "tenants[0].on_budget", "need a budget"),
        ("requests_per_mintue: 5", 10, "tenants[0].requests_per_mintue", "did you mean 'requests_per_minute'?"),
        ("blocked: maybe", 10, "tenants[0].blocked", "expected true or false"),
    ])
    func aBadValueIsAnErrorAtItsLine(line: String, expectedLine: Int, key: String, message: String) {
        let yaml = Self.base + "tenants:\n  - name: acme\n    \(line)\n"
        do {
            _ = try ConfigurationLoader.parse(yaml, source: "bad.yaml")
            Issue.record("'\(line)' was accepted")
        } catch {
            #expect(error.file == "bad.yaml")
            #expect(error.line == expectedLine, "\(error)")
            #expect(error.key == key, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func aTenantListedTwiceIsAnErrorAtTheSecond() {
        let yaml = Self.base + "tenants:\n  - name: acme\n  - name: acme\n"
        #expect {
            _ = try ConfigurationLoader.parse(yaml, source: "bad.yaml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.line == 10 && error.key == "tenants[1].name" && error.message.contains("already listed")
        }
    }
}

/// The example deployment the README's simulate figures come from stays valid.
@Suite("The tenant-budgets example")
struct TenantBudgetsExampleTests {
    @Test func theExampleFileLoads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/tenant-budgets.yaml").standardizedFileURL.path
        let configuration = try ConfigurationLoader.load(path: path)
        #expect(configuration.tenants.map(\.name) == ["acme", "globex", "initech"])
        #expect(configuration.tenants[0].limits.onBudget.count == 2)
    }
}
