import Foundation
@testable import Dashboard
import ServingEngine
import Testing

/// The tenants view (`T`) and the console's tenant commands (`/limit`, `/block`, `/unblock`).
@Suite("Tenants view and commands")
struct TenantsViewTests {
    static func tenant(_ name: String, limits: TenantLimits, configured: Bool = true, requests: Int, tokens: Int, spent: Double, budget: BudgetStanding?, throttled: Int) -> TenantSnapshot {
        var counters = TenantCounters()
        counters.admitted = requests
        counters.throttled = throttled > 0 ? [TenantRefusal.Limit.requests: throttled] : [:]
        return TenantSnapshot(
            name: name, configured: configured, limits: limits, status: TenantLimitStatus(), inFlight: 2, requestsLastMinute: requests, tokensLastMinute: tokens,
            spentTodayUSD: spent, spentThisMonthUSD: spent, reservedUSD: 0, budget: budget, counters: counters
        )
    }

    static var frame: DashboardFrame {
        var frame = Fixtures.frame(width: 160, height: 48, keys: [.character("T")])
        let steps = [BudgetStep(atPercent: 80, action: .tier("small"))]
        frame.snapshot.tenants = [
            tenant("acme", limits: TenantLimits(requestsPerMinute: 600, tokensPerMinute: 200_000, dailyBudgetUSD: 5, onBudget: steps), requests: 540, tokens: 181_000, spent: 4.3,
                   budget: BudgetStanding(usedPercent: 86, limit: .dailyBudget, budgetUSD: 5, spentUSD: 4.3, reservedUSD: 0, resetSeconds: 3600, step: steps[0]), throttled: 12),
            tenant("globex", limits: TenantLimits(), configured: false, requests: 30, tokens: 9000, spent: 0.2, budget: nil, throttled: 0),
            tenant("initech", limits: TenantLimits(blocked: true), requests: 0, tokens: 0, spent: 0, budget: nil, throttled: 7),
        ]
        return frame
    }

    @Test func tShowsTenantsWithRateTokensSpendAgainstBudgetAndThrottledCounts() throws {
        let frame = Self.frame
        #expect(frame.state.showTenants)
        var canvas = Canvas(width: 160, height: 48)
        DashboardRenderer.render(frame, into: &canvas)
        let lines = canvas.text.split(separator: "\n").map(String.init)
        let top = lines[1...12].joined(separator: "\n")
        #expect(top.contains("Tenants"), "\(top)")
        let acme = try #require(lines.first { $0.contains("acme") && $0.contains("540/600") })
        #expect(acme.contains("181,000/200,000"))
        #expect(acme.contains("$4.30"))
        #expect(acme.contains("██████████░░"), "\(acme)")  // 86 % of a 12-cell bar
        #expect(acme.contains("86% of $5.00/day"))
        #expect(acme.contains("12"))
        #expect(acme.contains("now: 80 % → small"))
        let globex = try #require(lines.first { $0.contains("globex") })
        #expect(globex.contains("no budget") && globex.contains("no limits (counted only)"))
        let initech = try #require(lines.first { $0.contains("initech") })
        #expect(initech.contains("blocked"))
        // T again brings the providers back.
        var state = frame.state
        _ = state.handle(.character("T"))
        #expect(!state.showTenants)
    }

    @Test func inAFleetTheTitleSaysHowAnOutageIsHandledAndTheRowsCountWhatItForced() throws {
        var frame = Self.frame
        frame.snapshot.sharedState = SharedStateStatus(connection: .disconnected(reason: "gone"), replicaID: "r1", onUnavailable: .closed)
        frame.snapshot.tenants[0].counters.failedClosed = 9
        frame.snapshot.tenants[2].counters.failedOpen = 3
        var canvas = Canvas(width: 160, height: 48)
        DashboardRenderer.render(frame, into: &canvas)
        let lines = canvas.text.split(separator: "\n").map(String.init)
        let title = try #require(lines.first { $0.contains("Tenants") })
        #expect(title.contains("fleet: fail closed, db away, 3 failed open, 9 failed closed"), "\(title)")
        let acme = try #require(lines.first { $0.contains("acme") && $0.contains("540/600") })
        #expect(acme.contains("9 failed closed"), "\(acme)")
        // Alone, nothing about a fleet.
        var alone = Canvas(width: 160, height: 48)
        DashboardRenderer.render(Self.frame, into: &alone)
        #expect(!alone.text.contains("fleet:"))
    }

    @Test func theHelpOverlayListsTheTenantsKey() {
        #expect(Keymap.standard.bindings.contains { $0.command == .toggleTenants && $0.keys == [.character("T")] })
    }

    @Test func limitParsesEveryLimitAndOffRemovesOne() throws {
        let parsed = try #require(ConsoleCommand.parse("/limit @acme rpm=600 tpm=off concurrent=8 daily=$5 monthly=100.5")).get()
        let expected = TenantLimitsChange(requestsPerMinute: .some(600), tokensPerMinute: .some(nil), maxConcurrent: .some(8), dailyBudgetUSD: .some(5), monthlyBudgetUSD: .some(100.5))
        #expect(parsed == .tenantLimits(tenant: "acme", expected))
        #expect(parsed.operatorCommand == .changeTenantLimits(tenant: "acme", expected))
        #expect(try ConsoleCommand.parse("/block @acme")?.get() == .tenantLimits(tenant: "acme", TenantLimitsChange(blocked: true)))
        #expect(try ConsoleCommand.parse("/unblock @acme")?.get() == .tenantLimits(tenant: "acme", TenantLimitsChange(blocked: false)))
    }

    @Test(arguments: [
        ("/limit rpm=5", "name the tenant first"),
        ("/limit @acme", "say which limits to set"),
        ("/limit @acme rpm=0", "rpm must be a whole number of at least 1 or off, got '0'"),
        ("/limit @acme daily=lots", "daily must be a number of dollars"),
        ("/limit @acme speed=5", "unknown limit 'speed'"),
        ("/limit @acme rpm", "expected key=value, got 'rpm'"),
        ("/block @acme now", "unexpected 'now'"),
    ])
    func aBadTenantCommandSaysWhatIsWrong(line: String, message: String) throws {
        guard case .failure(let error) = try #require(ConsoleCommand.parse(line)) else {
            Issue.record("'\(line)' was accepted")
            return
        }
        #expect(error.message.contains(message), "\(error.message)")
    }
}
