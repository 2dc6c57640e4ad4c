import Foundation
import Synchronization
import Testing
@testable import ServingEngine

/// Per-minute limits a fleet shares: each replica leases slices of a shared row per UTC minute
/// and runs at most one slice ahead of its lease, so a fleet of `n` admits at most
/// `limit + n × slice` in a minute; what happens while the database is away. The shared row is
/// played here by ``FakeRow``, which grants exactly as the SQL in `SharedStateReplica+TenantLeases` does.
@Suite("Fleet leases of per-minute limits")
struct FleetLeaseTests {
    /// A clock tests move by hand; 30 s into a UTC minute, so a test stays inside one.
    final class Clock: Sendable {
        let now = Mutex(1_800_000_030.0)
        func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
        var read: @Sendable () -> Double { { self.now.withLock { $0 } } }
    }

    /// The fleet's shared rows: never grants past the limit in a minute.
    final class FakeRow: Sendable {
        let granted = Mutex<[String: Double]>([:])
        var total: Double { granted.withLock { $0.values.reduce(0, +) } }

        /// Carries `limiter`'s pending exchanges to the rows and back.
        func serve(_ limiter: TenantLimiter) {
            let work = limiter.leaseWork()
            let results = granted.withLock { rows in
                work.map { item -> (exchange: LeaseExchange, granted: Double, fleetGranted: Double) in
                    let key = "\(item.tenant)|\(item.kind.rawValue)|\(item.minute)"
                    let before = rows[key, default: 0]
                    if item.amount > 0 {
                        let grant = min(item.amount, max(0, item.limit - before))
                        rows[key] = before + grant
                        return (item, grant, before + grant)
                    }
                    rows[key] = max(0, before + item.amount)
                    return (item, 0, rows[key]!)
                }
            }
            limiter.leaseSettled(results)
        }
    }

    static func replica(_ limits: TenantLimits, clock: Clock, policy: UnavailablePolicy = .open, replicas: Int = 2) -> TenantLimiter {
        let limiter = TenantLimiter(tenants: [TenantConfiguration(name: "acme", limits: limits)], clock: clock.read)
        limiter.joinFleet(onUnavailable: policy, leaseSlices: 4)
        limiter.setFleetSize(replicas)
        limiter.setFleetAvailable(true)
        return limiter
    }

    static func admitted(_ limiter: TenantLimiter, tokens: Int = 1) -> Bool {
        guard case .success(let pass) = limiter.admit("acme", estimatedTokens: tokens) else { return false }
        pass.settle(usedTokens: tokens, costUSD: 0)
        return true
    }

    @Test func aReplicaRunsOneSliceAheadOfItsLeaseAndNoFurther() throws {
        let clock = Clock()
        let limiter = Self.replica(TenantLimits(requestsPerMinute: 100), clock: clock)
        // 100 a minute over 2 replicas in slices of a quarter of a fair share: 13.
        let before = (0..<20).filter { _ in Self.admitted(limiter) }.count
        #expect(before == 13, "with no lease yet, one slice ahead")
        guard case .failure(let refusal) = limiter.admit("acme", estimatedTokens: 1) else {
            Issue.record("the 14th request passed without a lease")
            return
        }
        #expect(refusal.limit == .requests)
        #expect(refusal.message.contains("waiting for its next share of the fleet's 100 requests"), "\(refusal.message)")
        #expect(refusal.retryAfterSeconds < 1)
    }

    @Test func aRequestThatOnlyWaitsForALeaseOnItsWayIsAdmittedWhenItComesNotRefused() async throws {
        let clock = Clock()
        let row = FakeRow()
        let limiter = Self.replica(TenantLimits(requestsPerMinute: 100), clock: clock)
        for _ in 0..<13 { #expect(Self.admitted(limiter)) }
        // The lease loop answers a little later; the request waits for it (patience to spare,
        // so a busy machine cannot turn this into a test of timing).
        let server = Task {
            try await Task.sleep(for: .milliseconds(30))
            row.serve(limiter)
        }
        let waited = await limiter.admitWaiting("acme", estimatedTokens: 1, patience: .seconds(60))
        try await server.value
        #expect((try? waited.get()) != nil, "admitted once the lease came")
        #expect(limiter.snapshot().first?.counters.throttled.isEmpty == true, "no refusal counted for the wait")
        // With no lease coming, it gives up after its patience, counted once.
        let alone = Self.replica(TenantLimits(requestsPerMinute: 100), clock: clock)
        for _ in 0..<13 { #expect(Self.admitted(alone)) }
        let refused = await alone.admitWaiting("acme", estimatedTokens: 1, patience: .milliseconds(40))
        guard case .failure(let refusal) = refused else {
            Issue.record("admitted without a lease")
            return
        }
        #expect(refusal.awaitingLease)
        #expect(alone.snapshot().first?.counters.throttled[.requests] == 1)
    }

    @Test func twoReplicasSharingTheRowAdmitTheLimitPlusAtMostOneSliceEachInAMinute() throws {
        let clock = Clock()
        let row = FakeRow()
        let (a, b) = (Self.replica(TenantLimits(requestsPerMinute: 100), clock: clock), Self.replica(TenantLimits(requestsPerMinute: 100), clock: clock))
        var admitted = 0
        // Both replicas admit as fast as they can; the row answers one replica in three turns
        // (a slow database), the other every turn.
        for turn in 0..<400 {
            if Self.admitted(a) { admitted += 1 }
            if Self.admitted(b) { admitted += 1 }
            if turn % 3 == 0 { row.serve(a) }
            row.serve(b)
            clock.advance(0.05)  // 20 s in all: still inside the minute
        }
        let slice = 13.0
        #expect(row.total <= 100, "the row never grants past the limit: \(row.total)")
        #expect(Double(admitted) <= 100 + 2 * slice, "admitted \(admitted)")
        #expect(admitted >= 100, "the fleet used its limit: \(admitted)")
        // Alone, each would have admitted its whole bucket and its refill: 2 × (100 + 33).
        let (c, d) = (TenantLimiter(tenants: [TenantConfiguration(name: "acme", limits: TenantLimits(requestsPerMinute: 100))], clock: clock.read), TenantLimiter(tenants: [TenantConfiguration(name: "acme", limits: TenantLimits(requestsPerMinute: 100))], clock: clock.read))
        var unshared = 0
        for _ in 0..<400 {
            if Self.admitted(c) { unshared += 1 }
            if Self.admitted(d) { unshared += 1 }
            clock.advance(0.05)
        }
        #expect(unshared > 250, "unshared: \(unshared)")
    }

    @Test func tokensAreLeasedTheSameWayAndUseBeyondTheEstimateCounts() throws {
        let clock = Clock()
        let row = FakeRow()
        let (a, b) = (Self.replica(TenantLimits(tokensPerMinute: 1000), clock: clock), Self.replica(TenantLimits(tokensPerMinute: 1000), clock: clock))
        var used = 0
        for _ in 0..<200 {
            for limiter in [a, b] {
                // Estimated at 10, used 12: the 2 beyond count against the minute too.
                if case .success(let pass) = limiter.admit("acme", estimatedTokens: 10) {
                    pass.settle(usedTokens: 12, costUSD: 0)
                    used += 12
                }
                row.serve(limiter)
            }
            clock.advance(0.05)
        }
        // Slices of 1000 / 8 = 125 tokens; one more request of 12 may end past a slice.
        #expect(row.total <= 1000)
        #expect(used <= 1000 + 2 * (125 + 12), "used \(used)")
        #expect(used >= 900, "used \(used)")
    }

    @Test func aNewMinuteStartsAFreshWindow() throws {
        let clock = Clock()
        let row = FakeRow()
        let a = Self.replica(TenantLimits(requestsPerMinute: 10_000), clock: clock, replicas: 1)
        for _ in 0..<50 { _ = Self.admitted(a); row.serve(a) }
        let snapshot = try #require(a.snapshot().first)
        #expect(snapshot.counters.admitted == 50)
        clock.advance(40)  // the next minute
        #expect(Self.admitted(a))
        row.serve(a)
        #expect(row.granted.withLock { $0.count } == 2, "one row per minute")
    }

    @Test func anIdleLeaseIsGivenBackForTheOthersToUse() throws {
        let clock = Clock()
        let row = FakeRow()
        let a = Self.replica(TenantLimits(requestsPerMinute: 100), clock: clock)
        for _ in 0..<3 { #expect(Self.admitted(a)) }
        row.serve(a)
        let leased = row.total
        #expect(leased == 16, "a slice, and the 3 it ran ahead")
        clock.advance(1)
        row.serve(a)
        #expect(row.total == leased, "kept while it may still be used")
        clock.advance(FleetWindow.idleReturnSeconds)
        row.serve(a)
        #expect(row.total == 3, "the 13 unused went back: \(row.total)")
    }

    @Test func withTheDatabaseAwayOpenAdmitsOnTheReplicasOwnBucketAndCountsIt() throws {
        let clock = Clock()
        let a = Self.replica(TenantLimits(requestsPerMinute: 5), clock: clock, policy: .open)
        a.setFleetAvailable(false)
        #expect((0..<10).filter { _ in Self.admitted(a) }.count == 5)
        let acme = try #require(a.snapshot().first)
        #expect(acme.counters.failedOpen == 5)
        #expect(acme.counters.failedClosed == 0)
        #expect(acme.counters.throttled[.requests] == 5, "the local bucket still holds")
    }

    @Test func withTheDatabaseAwayClosedAdmitsOnlyWhatWasLeasedAndCountsTheRest() throws {
        let clock = Clock()
        let row = FakeRow()
        let a = Self.replica(TenantLimits(requestsPerMinute: 100), clock: clock, policy: .closed)
        #expect(Self.admitted(a))
        row.serve(a)  // a lease of 14: a slice and the one it ran ahead
        a.setFleetAvailable(false)
        let admitted = (0..<20).filter { _ in Self.admitted(a) }.count
        #expect(admitted == 13, "only the lease's rest, no run-ahead")
        guard case .failure(let refusal) = a.admit("acme", estimatedTokens: 1) else {
            Issue.record("admitted past the lease while failing closed")
            return
        }
        #expect(refusal.message.contains("shared_state.on_unavailable is closed"), "\(refusal.message)")
        let acme = try #require(a.snapshot().first)
        #expect(acme.counters.failedClosed == 8)
        #expect(acme.counters.failedOpen == 0)
        // Back in touch, the replica leases again.
        a.setFleetAvailable(true)
        row.serve(a)
        #expect(Self.admitted(a))
    }

    @Test func aTenantWithoutPerMinuteLimitsOrBudgetIsNotHeldByAnOutage() throws {
        let clock = Clock()
        let a = Self.replica(TenantLimits(maxConcurrent: 4), clock: clock, policy: .closed)
        a.setFleetAvailable(false)
        #expect((0..<10).allSatisfy { _ in Self.admitted(a) })
        #expect(a.snapshot().first?.counters.failedClosed == 0)
    }
}
