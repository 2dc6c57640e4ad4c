import Foundation
import Logging
import ServingEngine
import SharedState
import TestSupport
import Testing

/// Per-minute limits, blocks and run-time limit changes shared by a fleet through PostgreSQL,
/// and what a replica does when the database cannot be reached.
@Suite("Tenant limits across a fleet")
struct TenantFleetLimitsTests {
    /// The built-in deployment with instant providers (no cache) and `tenants`.
    static func engine(_ tenants: [TenantConfiguration], onUnavailable: UnavailablePolicy = .open) throws -> ServingEngine {
        var configuration = EngineConfiguration.builtInWithHashingEmbedder
        configuration.cache.enabled = false
        configuration.tenants = tenants
        configuration.onSharedStateUnavailable = onUnavailable
        return try ServingEngine(configuration: configuration, providers: configuration.providers.map { InstantProvider(name: $0.name, answer: "answer from \($0.name)") })
    }

    static var options: SharedStateReplica.Options {
        var options = SharedStateReplica.Options()
        options.heartbeat = .milliseconds(200)
        options.spendSync = .milliseconds(200)
        return options
    }

    static func minute(_ date: Date = Date()) -> Int { Int((date.timeIntervalSince1970 / 60).rounded(.down)) }

    /// 8 workers, half on each engine, half for each tenant, 80 requests each as fast as the
    /// providers answer: what each tenant was admitted (requests for acme, tokens for globex) by
    /// UTC minute (a run may straddle one).
    static func load(_ engineA: ServingEngine, _ engineB: ServingEngine) async -> [String: [Int: Int]] {
        let admissions = await withTaskGroup(of: [(tenant: String, minute: Int, units: Int)].self) { group in
            for worker in 0..<8 {
                let engine = worker % 2 == 0 ? engineA : engineB
                let tenant = worker % 4 < 2 ? "acme" : "globex"
                group.addTask {
                    var admitted: [(tenant: String, minute: Int, units: Int)] = []
                    for index in 0..<80 {
                        var request = ChatRequest(prompt: "Implement a lock-free queue in Rust, step by step, \(worker)-\(index)", tenant: tenant)
                        request.sampling.maxTokens = 40
                        // The minute the limiter admits it in (the providers answer at once).
                        let minute = Self.minute()
                        let answer: EngineResponse
                        do {
                            answer = try await engine.completeWithinLimits(request)
                        } catch {
                            // A request that gave up waiting for a lease (a loaded machine): -1.
                            if (error as? EngineError)?.message.contains("waiting for its next share") == true { admitted.append((tenant, minute, -1)) }
                            continue
                        }
                        // Tokens as the limiter counts them: the estimate, corrected by the usage.
                        admitted.append((tenant, minute, tenant == "acme" ? 1 : answer.decision.usage.totalTokens))
                    }
                    return admitted
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        var counts: [String: [Int: Int]] = [:]
        for admission in admissions where admission.units >= 0 { counts[admission.tenant, default: [:]][admission.minute, default: 0] += admission.units }
        counts["gave up waiting"] = [0: admissions.filter { $0.units < 0 }.count]
        return counts
    }

    /// Two replicas that would each admit a tenant's whole per-minute limit alone: sharing the
    /// minute's row, they admit at most the limit plus one slice each in any UTC minute, under
    /// concurrent load on both, for requests and for tokens.
    @Test func twoReplicasUnderConcurrentLoadStayWithinTheLimitPlusOneSliceEach() async throws {
        guard let url = try await SharedStateReplicaTests.database() else { return }
        let tenants = [
            TenantConfiguration(name: "acme", limits: TenantLimits(requestsPerMinute: 100)),
            TenantConfiguration(name: "globex", limits: TenantLimits(tokensPerMinute: 2000)),
        ]
        let (engineA, engineB) = (try Self.engine(tenants), try Self.engine(tenants))
        let a = try await SharedStateReplica.connect(url: url, engine: engineA, options: Self.options, logger: SharedStateReplicaTests.logger)
        let b = try await SharedStateReplica.connect(url: url, engine: engineB, options: Self.options, logger: SharedStateReplicaTests.logger)
        let runs = [Task { await a.run() }, Task { await b.run() }]
        // Slices are sized for the replicas alive: wait until both count two.
        #expect(await SharedStateReplicaTests.eventually { engineA.snapshot(activityLimit: 0).sharedState.replicas.count == 2 && engineB.snapshot(activityLimit: 0).sharedState.replicas.count == 2 })
        let counts = await Self.load(engineA, engineB)
        runs.forEach { $0.cancel() }
        for run in runs { await run.value }
        // 100 requests a minute over 2 replicas in slices of 1/(4 × 2): 13; 2000 tokens: 250.
        let requestSlice = 13, tokenSlice = 250
        let acme = counts["acme"] ?? [:]
        let globex = counts["globex"] ?? [:]
        // The bound holds while the database answers. A replica that counted it away (on a
        // machine this loaded, a query past its timeout) failed open: those admissions are counted
        // as such, and are what the bound leaves out.
        func failedOpen(_ tenant: String) -> Int {
            [engineA, engineB].reduce(0) { total, engine in total + (engine.tenants.snapshot().first { $0.name == tenant }?.counters.failedOpen ?? 0) }
        }
        let (acmeOpen, globexOpen) = (failedOpen("acme"), failedOpen("globex"))
        print("fleet of 2: acme admitted \(acme.sorted { $0.key < $1.key }.map(\.value)) requests by minute (limit 100, bound \(100 + 2 * requestSlice)); globex used \(globex.sorted { $0.key < $1.key }.map(\.value)) tokens by minute (limit 2000, bound \(2000 + 2 * tokenSlice) plus usage beyond estimates); failed open: \(acmeOpen) and \(globexOpen)")
        for (minute, admitted) in acme {
            #expect(admitted <= 100 + 2 * requestSlice + acmeOpen, "minute \(minute): \(admitted) requests, \(acmeOpen) of them failed open")
        }
        // Usage here stays under the estimate (max_tokens 40 is never reached), so the bound is
        // exact; each request uses 11 tokens.
        for (minute, used) in globex {
            #expect(used <= 2000 + 2 * tokenSlice + 11 * globexOpen, "minute \(minute): \(used) tokens, \(globexOpen) requests failed open")
        }
        // The load asked for 320 requests per tenant: the fleet used its limit, and alone each
        // replica would have admitted its own 100 (200 in all).
        // Unless requests gave up waiting for a lease (on a loaded machine the lease loop can be
        // slower than their patience), the fleet used its whole limit.
        let gaveUp = counts["gave up waiting"]?[0] ?? 0
        #expect(acme.values.reduce(0, +) >= 100 || gaveUp > 0, "\(acme), \(gaveUp) gave up waiting")
        #expect((acme.values.max() ?? 0) < 200)

        // The same load on two replicas that share nothing, measured in the same run.
        let unshared = await Self.load(try Self.engine(tenants), try Self.engine(tenants))
        let unsharedAcme = unshared["acme"]?.values.reduce(0, +) ?? 0
        print("unshared: acme admitted \(unsharedAcme) requests, globex used \(unshared["globex"]?.values.reduce(0, +) ?? 0) tokens")
        #expect(unsharedAcme >= 200)
    }

    @Test func aLimitChangeOrABlockOnOneReplicaReachesTheOthersAndOnesThatStartLater() async throws {
        guard let url = try await SharedStateReplicaTests.database() else { return }
        let tenants = [TenantConfiguration(name: "acme", limits: TenantLimits(requestsPerMinute: 600))]
        let (engineA, engineB) = (try Self.engine(tenants), try Self.engine(tenants))
        let a = try await SharedStateReplica.connect(url: url, engine: engineA, options: Self.options, logger: SharedStateReplicaTests.logger)
        let b = try await SharedStateReplica.connect(url: url, engine: engineB, options: Self.options, logger: SharedStateReplicaTests.logger)
        let runs = [Task { await a.run() }, Task { await b.run() }]
        defer { runs.forEach { $0.cancel() } }
        #expect(await SharedStateReplicaTests.eventually { engineA.snapshot(activityLimit: 0).sharedState.connection == .connected && engineB.snapshot(activityLimit: 0).sharedState.connection == .connected })

        // The admin API and the console's /limit both come down to this command.
        _ = try engineA.perform(.changeTenantLimits(tenant: "acme", TenantLimitsChange(requestsPerMinute: .some(7), dailyBudgetUSD: .some(3))))
        #expect(await SharedStateReplicaTests.eventually { engineB.tenants.limits(of: "acme").requestsPerMinute == 7 }, "\(engineB.tenants.limits(of: "acme").summary)")
        #expect(engineB.tenants.limits(of: "acme").dailyBudgetUSD == 3)
        // A tenant the configuration does not name is created on the others too.
        _ = try engineB.perform(.changeTenantLimits(tenant: "initech", TenantLimitsChange(maxConcurrent: .some(2))))
        #expect(await SharedStateReplicaTests.eventually { engineA.tenants.limits(of: "initech").maxConcurrent == 2 })

        // /block on B: A refuses acme too.
        _ = try engineB.perform(.changeTenantLimits(tenant: "acme", TenantLimitsChange(blocked: true)))
        #expect(await SharedStateReplicaTests.eventually { engineA.tenants.limits(of: "acme").blocked })
        await #expect(throws: EngineError.self) { try await engineA.completeWithinLimits(ChatRequest(prompt: "hello", tenant: "acme")) }
        #expect(engineA.tenants.limits(of: "acme").requestsPerMinute == 7, "the block keeps the other limits")
        // The activity log's line follows the limits it announces (it is written after them).
        #expect(await SharedStateReplicaTests.eventually {
            engineA.snapshot(activityLimit: 50).activity.contains { entry in
                if case .event(let event) = entry { event.message.contains("tenant acme limits set by replica \(b.replicaID)") } else { false }
            }
        })

        // A replica started afterwards takes the limits operators set, over its configuration's.
        let engineC = try Self.engine(tenants)
        let c = try await SharedStateReplica.connect(url: url, engine: engineC, options: Self.options, logger: SharedStateReplicaTests.logger)
        let runC = Task { await c.run() }
        defer { runC.cancel() }
        #expect(engineC.tenants.limits(of: "acme").blocked)
        #expect(engineC.tenants.limits(of: "acme").requestsPerMinute == 7)
        #expect(engineC.tenants.limits(of: "initech").maxConcurrent == 2)

        // Unblocked on C: A and B serve acme again.
        _ = try engineC.perform(.changeTenantLimits(tenant: "acme", TenantLimitsChange(blocked: false)))
        #expect(await SharedStateReplicaTests.eventually { !engineA.tenants.limits(of: "acme").blocked && !engineB.tenants.limits(of: "acme").blocked })
        _ = try await engineA.completeWithinLimits(ChatRequest(prompt: "hello again", tenant: "acme"))
    }

    /// A database nobody listens on: the replica starts disconnected.
    static let unreachable = "postgres://switchboard@127.0.0.1:1/switchboard?sslmode=disable"

    @Test func withTheDatabaseUnreachableFailingOpenAdmitsOnTheReplicasOwnLimitsAndCountsIt() async throws {
        let engine = try Self.engine([TenantConfiguration(name: "acme", limits: TenantLimits(requestsPerMinute: 5))], onUnavailable: .open)
        var options = Self.options
        options.startTimeout = .seconds(2)
        let replica = try await SharedStateReplica.connect(url: Self.unreachable, engine: engine, options: options, logger: SharedStateReplicaTests.logger)
        // Stopped at the end, so that its client stops trying to reach the database.
        let run = Task { await replica.run() }
        defer { run.cancel() }
        #expect(engine.snapshot(activityLimit: 0).sharedState.label == "disconnected")
        #expect(engine.snapshot(activityLimit: 0).sharedState.onUnavailable == .open)
        var answered = 0
        for index in 0..<8 where (try? await engine.completeWithinLimits(ChatRequest(prompt: "hello \(index)", tenant: "acme"))) != nil { answered += 1 }
        #expect(answered == 5, "the replica's own bucket")
        let acme = try #require(engine.tenants.snapshot().first { $0.name == "acme" })
        #expect(acme.counters.failedOpen == 5)
        #expect(acme.counters.failedClosed == 0)
    }

    @Test func withTheDatabaseUnreachableFailingClosedRefusesWhatNoLeaseCoversAndCountsIt() async throws {
        let engine = try Self.engine([TenantConfiguration(name: "acme", limits: TenantLimits(requestsPerMinute: 5)), TenantConfiguration(name: "globex", limits: TenantLimits(maxConcurrent: 4))], onUnavailable: .closed)
        var options = Self.options
        options.startTimeout = .seconds(2)
        let replica = try await SharedStateReplica.connect(url: Self.unreachable, engine: engine, options: options, logger: SharedStateReplicaTests.logger)
        // Stopped at the end, so that its client stops trying to reach the database.
        let run = Task { await replica.run() }
        defer { run.cancel() }
        #expect(engine.snapshot(activityLimit: 0).sharedState.onUnavailable == .closed)
        var refusals: [String] = []
        for index in 0..<4 {
            do {
                _ = try await engine.completeWithinLimits(ChatRequest(prompt: "hello \(index)", tenant: "acme"))
            } catch {
                refusals.append(error.message)
            }
        }
        #expect(refusals.count == 4, "no lease was ever taken, so nothing is admitted")
        #expect(refusals.first?.contains("shared_state.on_unavailable is closed") == true, "\(refusals.first ?? "")")
        let acme = try #require(engine.tenants.snapshot().first { $0.name == "acme" })
        #expect(acme.counters.failedClosed == 4)
        // A tenant with no limit the fleet shares is served as ever.
        _ = try await engine.completeWithinLimits(ChatRequest(prompt: "hello", tenant: "globex"))
    }
}
