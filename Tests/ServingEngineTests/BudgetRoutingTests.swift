import Foundation
import Testing
@testable import ServingEngine

/// Budget-aware routing through the whole engine: steps recorded in the decision, a spent budget
/// that only free providers may serve, cache hits that cost nothing, and no overspend under load.
@Suite("Budget-aware routing")
struct BudgetRoutingTests {
    /// `dear` ($1000 per million tokens both ways: a scripted answer of 5 + 7 tokens costs $0.012)
    /// serves `frontier`, where the router sends everything; `cheap` ($100: $0.0012) and `free`
    /// ($0) serve `small`.
    static func engine(tenant limits: TenantLimits, smallChain: [String] = ["cheap", "free"], cache: Bool = false) throws -> ServingEngine {
        let yaml = """
            providers:
              - { name: cheap, price: { input_per_mtok: 100, output_per_mtok: 100 } }
              - { name: free }
              - { name: dear, price: { input_per_mtok: 1000, output_per_mtok: 1000 } }
            tiers:
              - { name: small, chain: [\(smallChain.joined(separator: ", "))] }
              - { name: frontier, chain: [dear] }
            router:
              thresholds: [{ tier: frontier, up_to: 1.0 }]
            cache: { enabled: \(cache), embedder: hashing, decision: threshold }
            """
        var configuration = try ConfigurationLoader.parse(yaml, source: "budget.yaml")
        configuration.tenants = [TenantConfiguration(name: "acme", limits: limits)]
        return try ServingEngine(configuration: configuration, providers: ["cheap", "free", "dear"].map { ScriptedProvider($0, otherwise: .answer("an answer")) })
    }

    static func ask(_ engine: ServingEngine, _ prompt: String, tenant: String = "acme") async throws(EngineError) -> EngineResponse {
        var request = ChatRequest(prompt: prompt, tenant: tenant)
        request.sampling.maxTokens = 10
        return try await engine.completeWithinLimits(request)
    }

    @Test func failingClosedWithTheDatabaseAwayKeepsABudgetedTenantOnFreeProvidersAndSaysWhy() async throws {
        // A replica that joined a fleet is cut off until its first exchange with the database.
        let engine = try Self.engine(tenant: TenantLimits(dailyBudgetUSD: 10))
        engine.tenants.joinFleet(onUnavailable: .closed, leaseSlices: 4)
        let answer = try await Self.ask(engine, "question")
        #expect(answer.decision.provider == "free")
        #expect(answer.decision.route.budget?.summary == "shared state unreachable, failing closed → free providers only (free)")
        #expect(engine.tenants.snapshot().first { $0.name == "acme" }?.counters.failedClosed == 1)

        // With no zero-price provider, nothing priced answers: insufficient_quota, saying why.
        let noFree = try Self.engine(tenant: TenantLimits(dailyBudgetUSD: 10), smallChain: ["cheap"])
        noFree.tenants.joinFleet(onUnavailable: .closed, leaseSlices: 4)
        await #expect {
            try await Self.ask(noFree, "question")
        } throws: { error in
            guard let error = error as? EngineError else { return false }
            return error.code == .insufficientQuota && error.message.contains("shared_state.on_unavailable: closed")
        }

        // Failing open, the priced frontier answers within the replica's share; counted.
        let open = try Self.engine(tenant: TenantLimits(dailyBudgetUSD: 10))
        open.tenants.joinFleet(onUnavailable: .open, leaseSlices: 4)
        let served = try await Self.ask(open, "question")
        #expect(served.decision.provider == "dear")
        #expect(served.decision.route.budget == nil)
        #expect(open.tenants.snapshot().first { $0.name == "acme" }?.counters.failedOpen == 1)
    }

    @Test func pastAStepRequestsGoToItsTierAndTheDecisionSaysWhy() async throws {
        let steps = [BudgetStep(atPercent: 50, action: .tier("small"))]
        let engine = try Self.engine(tenant: TenantLimits(dailyBudgetUSD: 0.05, onBudget: steps))
        var tiers: [String] = []
        var notes: [String] = []
        for index in 0..<6 {
            let answer = try await Self.ask(engine, "question \(index)")
            tiers.append(answer.decision.route.tier)
            notes.append(answer.decision.route.budget?.summary ?? "-")
        }
        // Two frontier answers ($0.024, 48 %), a third ($0.036, 72 %), then small.
        #expect(tiers == ["frontier", "frontier", "frontier", "small", "small", "small"])
        #expect(notes[3] == "budget 72 % used → small")
        #expect(notes[0] == "-")
        let acme = try #require(engine.tenants.snapshot().first { $0.name == "acme" })
        #expect(acme.counters.steered == 3)
        #expect(abs(acme.spentTodayUSD - (0.036 + 3 * 0.0012)) < 1e-9)
        #expect(acme.reservedUSD == 0)
        #expect(acme.inFlight == 0)
    }

    @Test func aRequestTooDearForWhatIsLeftGoesToACheaperTierThenToFreeProviders() async throws {
        let engine = try Self.engine(tenant: TenantLimits(dailyBudgetUSD: 0.02))
        var providers: [String] = []
        var notes: [String] = []
        for index in 0..<10 {
            let answer = try await Self.ask(engine, "question \(index)")
            providers.append(answer.decision.provider ?? "-")
            notes.append(answer.decision.route.budget?.summary ?? "-")
        }
        // $0.012 spent after the first: a dear call reserves $0.016 (16 tokens estimated) and no
        // longer fits, a cheap one ($0.0016) does until $0.0192 is spent; then only free.
        #expect(providers == ["dear"] + Array(repeating: "cheap", count: 6) + ["free", "free", "free"], "\(providers)")
        #expect(notes[1] == "budget 60 % used → small")
        #expect(notes[7] == "budget 96 % used → free providers only (free)")
        let standing = try #require(engine.tenants.standing("acme"))
        #expect(standing.spentUSD <= 0.02)
        #expect(abs(standing.spentUSD - (0.012 + 6 * 0.0012)) < 1e-9)
    }

    @Test func aSpentBudgetWithNoFreeProviderIsInsufficientQuotaSayingWhenItResets() async throws {
        let engine = try Self.engine(tenant: TenantLimits(dailyBudgetUSD: 0.001), smallChain: ["cheap"])
        do {
            _ = try await Self.ask(engine, "one")
            Issue.record("a request past the budget was answered")
        } catch {
            #expect(error.code == .insufficientQuota)
            #expect(error.message.contains("tenants[].budget.daily_usd"))
            #expect(error.message.contains("resets in"))
        }
        let acme = try #require(engine.tenants.snapshot().first { $0.name == "acme" })
        #expect(acme.counters.throttled[.dailyBudget] == 1)
        #expect(acme.spentTodayUSD == 0)
    }

    @Test func aSpentBudgetStillServesCacheHits() async throws {
        let engine = try Self.engine(tenant: TenantLimits(dailyBudgetUSD: 1), smallChain: ["cheap"], cache: true)
        _ = try await Self.ask(engine, "what does a budget hold")  // $0.012
        engine.tenants.change("acme", TenantLimitsChange(dailyBudgetUSD: .some(0.012)))  // now spent
        let hit = try await Self.ask(engine, "what does a budget hold")
        #expect(hit.decision.isCacheHit)
        #expect(hit.decision.route.budget?.summary == "budget 100 % used → cache only")
        await #expect(throws: EngineError.self) { try await Self.ask(engine, "something never asked before") }
        let acme = try #require(engine.tenants.snapshot().first { $0.name == "acme" })
        #expect(acme.counters.cacheHits == 1)
        #expect(acme.counters.throttled[.dailyBudget] == 1)
    }

    @Test func aRefuseStepRefusesPricedCallsBeforeTheBudgetIsSpent() async throws {
        let steps = [BudgetStep(atPercent: 10, action: .refuse)]
        let engine = try Self.engine(tenant: TenantLimits(dailyBudgetUSD: 0.1, onBudget: steps), smallChain: ["cheap"])
        _ = try await Self.ask(engine, "one")  // 12 % used
        await #expect(throws: EngineError.self) { try await Self.ask(engine, "two") }
    }

    @Test func anExplicitModelIsHonouredUntilTheBudgetIsSpent() async throws {
        let steps = [BudgetStep(atPercent: 1, action: .tier("small"))]
        let engine = try Self.engine(tenant: TenantLimits(dailyBudgetUSD: 1, onBudget: steps))
        _ = try await Self.ask(engine, "warm up")
        var request = ChatRequest(prompt: "explicit", model: "frontier", tenant: "acme")
        request.sampling.maxTokens = 10
        let answer = try await engine.completeWithinLimits(request)
        #expect(answer.decision.route.tier == "frontier")
        #expect(answer.decision.route.budget == nil)
    }

    @Test func cacheHitsCountAsRequestsButCostNothing() async throws {
        // Two requests a minute (one refills every 30 s, longer than this test takes).
        let engine = try Self.engine(tenant: TenantLimits(requestsPerMinute: 2, tokensPerMinute: 10_000, dailyBudgetUSD: 1), cache: true)
        _ = try await Self.ask(engine, "what is a budget")
        let hit = try await Self.ask(engine, "what is a budget")
        #expect(hit.decision.isCacheHit)
        await #expect(throws: EngineError.self) { try await Self.ask(engine, "what is a budget") }
        let acme = try #require(engine.tenants.snapshot().first { $0.name == "acme" })
        #expect(acme.counters.admitted == 2)
        #expect(acme.counters.cacheHits == 1)
        #expect(acme.counters.throttled[.requests] == 1)
        #expect(abs(acme.spentTodayUSD - 0.012) < 1e-9)
        #expect(acme.counters.tokens == 12)
    }

    @Test func aZeroPriceProviderNeverConsumesTheBudget() async throws {
        let engine = try Self.engine(tenant: TenantLimits(dailyBudgetUSD: 0), smallChain: ["free"])
        // A zero budget is spent from the start, and free answers still come.
        for index in 0..<5 {
            let answer = try await Self.ask(engine, "free \(index)")
            #expect(answer.decision.provider == "free")
        }
        #expect(engine.tenants.standing("acme")?.spentUSD == 0)
    }

    @Test func aRateLimitedRequestIsAnEngineErrorNamingTheLimit() async throws {
        let engine = try Self.engine(tenant: TenantLimits(requestsPerMinute: 1))
        _ = try await Self.ask(engine, "one")
        do {
            _ = try await Self.ask(engine, "two")
            Issue.record("over the limit was answered")
        } catch {
            #expect(error.code == .rateLimited)
            #expect(error.message.contains("1 requests per minute"))
        }
    }

    /// The dollar bound: with `max_tokens` set, a request's reservation is at least what it can
    /// cost, so however many run at once, the tenant never spends past its budget.
    @Test func concurrentRequestsNeverSpendPastTheBudget() async throws {
        let engine = try Self.engine(tenant: TenantLimits(dailyBudgetUSD: 0.1), smallChain: ["cheap"])
        let outcomes = await withTaskGroup(of: String.self) { group in
            for index in 0..<64 {
                group.addTask {
                    do throws(EngineError) { return try await Self.ask(engine, "load \(index)").decision.provider ?? "cache" } catch { return error.code.description }
                }
            }
            return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        let acme = try #require(engine.tenants.snapshot().first { $0.name == "acme" })
        #expect(acme.spentTodayUSD <= 0.1 + 1e-9)
        // Six reservations of $0.016 fit at once; as answers settle at $0.012, at most eight in all;
        // then cheap answers while their $0.0016 fits, then refusals.
        #expect((6...8).contains(outcomes["dear", default: 0]), "\(outcomes)")
        #expect(outcomes["cheap", default: 0] > 0, "\(outcomes)")
        #expect(outcomes["dear", default: 0] + outcomes["cheap", default: 0] + outcomes["insufficient_quota", default: 0] == 64, "\(outcomes)")
        #expect(acme.reservedUSD == 0)
        #expect(acme.inFlight == 0)
    }
}
