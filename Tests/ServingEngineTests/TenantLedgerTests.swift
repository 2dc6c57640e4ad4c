import Foundation
import Synchronization
import Testing
@testable import ServingEngine

/// The tenant limits as pure state: buckets, budgets, reservations and settlement, driven by a
/// clock the test owns.
@Suite("Tenant limits")
struct TenantLedgerTests {
    /// 2026-12-01 12:00:00 UTC.
    static let noon = 1_796_126_400.0

    final class TestClock: Sendable {
        private let time: Mutex<Double>
        init(_ start: Double = TenantLedgerTests.noon) { time = Mutex(start) }
        var now: Double { time.withLock { $0 } }
        func advance(_ seconds: Double) { time.withLock { $0 += seconds } }
    }

    static func limiter(_ limits: TenantLimits, clock: TestClock) -> TenantLimiter {
        TenantLimiter(tenants: [TenantConfiguration(name: "acme", limits: limits)], clock: { clock.now })
    }

    @Test func aRequestsPerMinuteLimitAdmitsItsSizeThenRefusesWithTheWaitForOne() throws {
        let clock = TestClock()
        let limiter = Self.limiter(TenantLimits(requestsPerMinute: 3), clock: clock)
        for expected in [2, 1, 0] {
            let pass = try limiter.admit("acme", estimatedTokens: 0).get()
            #expect(pass.status.requests?.remaining == expected)
            #expect(pass.status.requests?.limit == 3)
        }
        guard case .failure(let refusal) = limiter.admit("acme", estimatedTokens: 0) else { Issue.record("a fourth request was admitted"); return }
        #expect(refusal.limit == .requests)
        #expect(refusal.code == "rate_limit_exceeded")
        #expect(abs(refusal.retryAfterSeconds - 20) < 1e-9)  // one request refills in 60 / 3 s
        #expect(refusal.message.contains("3 requests per minute"))
        #expect(refusal.message.contains("tenants[].requests_per_minute"))
        clock.advance(20)
        #expect((try? limiter.admit("acme", estimatedTokens: 0).get()) != nil)
    }

    @Test func theResetHeaderValueIsTheTimeUntilTheBucketIsFull() throws {
        let clock = TestClock()
        let limiter = Self.limiter(TenantLimits(requestsPerMinute: 60, tokensPerMinute: 6000), clock: clock)
        let pass = try limiter.admit("acme", estimatedTokens: 600).get()
        #expect(pass.status.requests?.remaining == 59)
        #expect(pass.status.requests?.resetSeconds == 1)
        #expect(pass.status.tokens?.remaining == 5400)
        #expect(pass.status.tokens?.resetSeconds == 6)
        #expect(TenantLimitStatus.format(seconds: 6) == "6s")
        #expect(TenantLimitStatus.format(seconds: 0.02) == "20ms")
        #expect(TenantLimitStatus.format(seconds: 360) == "6m0s")
    }

    @Test func tokensAreEstimatedAtAdmissionAndCorrectedAtSettlement() throws {
        let clock = TestClock()
        let limiter = Self.limiter(TenantLimits(tokensPerMinute: 1000), clock: clock)
        let first = try limiter.admit("acme", estimatedTokens: 600).get()
        guard case .failure(let refusal) = limiter.admit("acme", estimatedTokens: 600) else { Issue.record("over the token limit was admitted"); return }
        #expect(refusal.limit == .tokens)
        #expect(refusal.message.contains("1000 tokens per minute"))
        // The provider used far fewer tokens than estimated: the difference comes back.
        first.settle(usedTokens: 100, costUSD: 0)
        let second = try limiter.admit("acme", estimatedTokens: 600).get()
        #expect(second.status.tokens?.remaining == 300)
        // It used more than estimated: the excess is debt the refill pays first.
        second.settle(usedTokens: 1500, costUSD: 0)
        #expect(limiter.snapshot()[0].status.tokens?.remaining == 0)
        #expect(limiter.admit("acme", estimatedTokens: 1).isFailure)
    }

    @Test func aRefusedTokenRequestGivesBackTheRequestItTook() throws {
        let clock = TestClock()
        let limiter = Self.limiter(TenantLimits(requestsPerMinute: 10, tokensPerMinute: 100), clock: clock)
        let held = try limiter.admit("acme", estimatedTokens: 90).get()
        #expect(limiter.admit("acme", estimatedTokens: 90).isFailure)
        #expect(held.estimatedTokens == 90)
        #expect(limiter.snapshot()[0].status.requests?.remaining == 9)
    }

    @Test func concurrencyIsCappedAndGivenBackWhenAPassSettlesOrIsDropped() throws {
        let clock = TestClock()
        let limiter = Self.limiter(TenantLimits(maxConcurrent: 2), clock: clock)
        let a = try limiter.admit("acme", estimatedTokens: 0).get()
        var b: TenantPass? = try limiter.admit("acme", estimatedTokens: 0).get()
        guard case .failure(let refusal) = limiter.admit("acme", estimatedTokens: 0) else { Issue.record("a third request ran"); return }
        #expect(refusal.limit == .concurrency)
        a.settle(usedTokens: 1, costUSD: 0)
        a.settle(usedTokens: 1, costUSD: 0)  // a second settlement changes nothing
        #expect(limiter.snapshot()[0].inFlight == 1)
        b = nil
        #expect(b == nil)
        #expect(limiter.snapshot()[0].inFlight == 0)
    }

    @Test func aBlockedTenantIsRefusedUntilUnblocked() throws {
        let clock = TestClock()
        let limiter = Self.limiter(TenantLimits(), clock: clock)
        limiter.change("acme", TenantLimitsChange(blocked: true))
        guard case .failure(let refusal) = limiter.admit("acme", estimatedTokens: 0) else { Issue.record("a blocked tenant ran"); return }
        #expect(refusal.limit == .blocked)
        #expect(!refusal.isRetryable)
        limiter.change("acme", TenantLimitsChange(blocked: false))
        #expect(limiter.admit("acme", estimatedTokens: 0).isSuccess)
    }

    @Test func limitsChangedAtRunTimeKeepWhatWasUsed() throws {
        let clock = TestClock()
        let limiter = Self.limiter(TenantLimits(requestsPerMinute: 10), clock: clock)
        for _ in 0..<4 { _ = try limiter.admit("acme", estimatedTokens: 0).get() }
        limiter.change("acme", TenantLimitsChange(requestsPerMinute: .some(20)))
        #expect(limiter.snapshot()[0].status.requests?.remaining == 16)
        limiter.change("acme", TenantLimitsChange(requestsPerMinute: .some(3)))
        #expect(limiter.admit("acme", estimatedTokens: 0).isFailure)
        limiter.change("acme", TenantLimitsChange(requestsPerMinute: .some(nil)))
        #expect(limiter.admit("acme", estimatedTokens: 0).isSuccess)
        #expect(limiter.snapshot()[0].status.requests == nil)
    }

    @Test func unconfiguredTenantsAreUnlimitedButCounted() throws {
        let clock = TestClock()
        let limiter = Self.limiter(TenantLimits(requestsPerMinute: 1), clock: clock)
        for _ in 0..<50 { try limiter.admit("globex", estimatedTokens: 10).get().settle(usedTokens: 10, costUSD: 0.01) }
        let globex = try #require(limiter.snapshot().first { $0.name == "globex" })
        #expect(!globex.configured)
        #expect(globex.counters.admitted == 50)
        #expect(globex.requestsLastMinute == 50)
        #expect(globex.tokensLastMinute == 500)
        #expect(abs(globex.spentTodayUSD - 0.5) < 1e-9)
    }

    @Test func spendRollsOverAtUTCMidnightAndTheMonthAtItsFirstDay() throws {
        let clock = TestClock()
        let limiter = Self.limiter(TenantLimits(dailyBudgetUSD: 1, monthlyBudgetUSD: 10), clock: clock)
        try limiter.admit("acme", estimatedTokens: 0).get().settle(usedTokens: 0, costUSD: 0.4)
        var standing = try #require(limiter.standing("acme"))
        #expect(abs(standing.usedPercent - 40) < 1e-9)
        #expect(standing.limit == .dailyBudget)
        #expect(standing.resetSeconds == 12 * 3600)
        clock.advance(12 * 3600)  // 2026-12-02 00:00 UTC
        standing = try #require(limiter.standing("acme"))
        #expect(standing.limit == .monthlyBudget)
        #expect(abs(standing.usedPercent - 4) < 1e-9)
        #expect(abs(limiter.snapshot()[0].spentThisMonthUSD - 0.4) < 1e-9)
        clock.advance(30 * 86_400)  // 2027-01-01
        #expect(limiter.snapshot()[0].spentThisMonthUSD == 0)
    }

    @Test func reservationsHoldRequestsInFlightWithinTheBudget() throws {
        let clock = TestClock()
        let limiter = Self.limiter(TenantLimits(dailyBudgetUSD: 1), clock: clock)
        let a = try limiter.admit("acme", estimatedTokens: 0).get()
        let b = try limiter.admit("acme", estimatedTokens: 0).get()
        #expect(a.reserve(0.6))
        #expect(!b.reserve(0.6))  // 0.6 + 0.6 would pass the budget
        #expect(b.reserve(0.4))
        #expect(limiter.standing("acme")?.usedPercent == 100)
        a.settle(usedTokens: 0, costUSD: 0.1)  // cost less than reserved: the rest is free again
        #expect(abs((limiter.standing("acme")?.usedPercent ?? 0) - 50) < 1e-9)
    }

    @Test func theStepInForceIsTheLastOneReached() throws {
        let clock = TestClock()
        let steps = [BudgetStep(atPercent: 100, action: .refuse), BudgetStep(atPercent: 80, action: .tier("small"))]
        let limiter = Self.limiter(TenantLimits(dailyBudgetUSD: 1, onBudget: steps), clock: clock)
        #expect(limiter.standing("acme")?.step == nil)
        try limiter.admit("acme", estimatedTokens: 0).get().settle(usedTokens: 0, costUSD: 0.86)
        #expect(limiter.standing("acme")?.step == BudgetStep(atPercent: 80, action: .tier("small")))
        try limiter.admit("acme", estimatedTokens: 0).get().settle(usedTokens: 0, costUSD: 0.14)
        #expect(limiter.standing("acme")?.step?.action == .refuse)
        #expect(limiter.standing("acme")?.isSpent == true)
    }

    /// The documented bound on one replica: admission is atomic, so however many callers race,
    /// exactly the bucket's size is admitted while the clock stands still.
    @Test func concurrentCallersNeverOvershootTheRequestLimit() async throws {
        let clock = TestClock()
        let limiter = Self.limiter(TenantLimits(requestsPerMinute: 250, tokensPerMinute: 100_000), clock: clock)
        let admitted = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var count = 0
                    for _ in 0..<200 {
                        if case .success(let pass) = limiter.admit("acme", estimatedTokens: 100) {
                            count += 1
                            pass.settle(usedTokens: 100, costUSD: 0)
                        }
                    }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(admitted == 250)
        let acme = try #require(limiter.snapshot().first)
        #expect(acme.counters.admitted == 250)
        #expect(acme.counters.throttled[.requests] == 1600 - 250)
        // Over t seconds at most capacity × (1 + t / 60): 30 s later, 125 more.
        clock.advance(30)
        var more = 0
        while case .success = limiter.admit("acme", estimatedTokens: 0) { more += 1 }
        #expect(more == 125)
    }
}

extension Result {
    var isSuccess: Bool { if case .success = self { true } else { false } }
    var isFailure: Bool { !isSuccess }
}
