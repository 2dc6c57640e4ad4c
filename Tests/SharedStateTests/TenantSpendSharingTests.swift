import Foundation
import Logging
import ServingEngine
import SharedState
import TestSupport
import Testing

/// Tenants' spend through PostgreSQL: replicas share one budget, and a restarted replica keeps
/// the day's and the month's spend.
@Suite("Tenant spend shared through PostgreSQL")
struct TenantSpendSharingTests {
    /// The built-in deployment with instant providers and a tenant on a daily budget.
    static func engine(budget: Double) throws -> ServingEngine {
        var configuration = EngineConfiguration.builtInWithHashingEmbedder
        configuration.cache.enabled = false
        configuration.tenants = [TenantConfiguration(name: "acme", limits: TenantLimits(dailyBudgetUSD: budget, monthlyBudgetUSD: 100))]
        return try ServingEngine(configuration: configuration, providers: configuration.providers.map { InstantProvider(name: $0.name, answer: "answer from \($0.name)") })
    }

    static func spent(_ engine: ServingEngine) -> (day: Double, month: Double) {
        let acme = engine.tenants.snapshot().first { $0.name == "acme" }
        return (acme?.spentTodayUSD ?? 0, acme?.spentThisMonthUSD ?? 0)
    }

    /// Two replicas that would each let acme spend its whole budget alone: sharing it, they
    /// spend about one budget between them under concurrent load, not two.
    @Test func twoReplicasUnderConcurrentLoadSpendOneBudgetBetweenThem() async throws {
        guard let url = try await SharedStateReplicaTests.database() else { return }
        var options = SharedStateReplica.Options()
        options.spendSync = .milliseconds(100)
        options.heartbeat = .milliseconds(200)
        let budget = 0.0005
        let (engineA, engineB) = (try Self.engine(budget: budget), try Self.engine(budget: budget))
        let a = try await SharedStateReplica.connect(url: url, engine: engineA, options: options, logger: SharedStateReplicaTests.logger)
        let b = try await SharedStateReplica.connect(url: url, engine: engineB, options: options, logger: SharedStateReplicaTests.logger)
        let runs = [Task { await a.run() }, Task { await b.run() }]
        #expect(await SharedStateReplicaTests.eventually { engineA.snapshot(activityLimit: 0).sharedState.replicas.count == 2 && engineB.snapshot(activityLimit: 0).sharedState.replicas.count == 2 })
        let answered = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                let engine = worker % 2 == 0 ? engineA : engineB
                group.addTask {
                    var answered = 0
                    for index in 0..<60 {
                        var request = ChatRequest(prompt: "Implement a lock-free queue in Rust, step by step, \(worker)-\(index)", tenant: "acme")
                        request.sampling.maxTokens = 3
                        if (try? await engine.completeWithinLimits(request)) != nil { answered += 1 }
                    }
                    return answered
                }
            }
            return await group.reduce(0, +)
        }
        #expect(await SharedStateReplicaTests.eventually { abs(Self.spent(engineA).day - Self.spent(engineB).day) < 1e-12 })
        runs.forEach { $0.cancel() }
        for run in runs { await run.value }
        let total = Self.spent(engineA).day
        print("fleet of 2, budget $\(budget): spent $\(total) (\(Int((total / budget * 100).rounded())) %), \(answered) of 480 answered")
        // Each replica may spend half of what was left at its last sync, so a load that ends
        // before a sync brings news stops near half the budget; more is timing, not the rule.
        #expect(total > budget / 4, "the load used the budget: $\(total)")
        // Alone each replica could have spent the whole budget (2× between them); the shares
        // hold the fleet near one budget.
        #expect(total <= budget * 1.5, "spent $\(total) of $\(budget)")
    }

    @Test func twoReplicasUnderConcurrentLoadShareOneBudgetAndARestartKeepsTheSpend() async throws {
        guard let url = try await SharedStateReplicaTests.database() else { return }
        var options = SharedStateReplica.Options()
        options.spendSync = .milliseconds(100)
        let (engineA, engineB) = (try Self.engine(budget: 1), try Self.engine(budget: 1))
        let a = try await SharedStateReplica.connect(url: url, engine: engineA, options: options, logger: SharedStateReplicaTests.logger)
        let b = try await SharedStateReplica.connect(url: url, engine: engineB, options: options, logger: SharedStateReplicaTests.logger)
        let runs = [Task { await a.run() }, Task { await b.run() }]

        // Both replicas answer acme at once.
        let costs = await withTaskGroup(of: Double.self) { group in
            for index in 0..<80 {
                let engine = index % 2 == 0 ? engineA : engineB
                group.addTask {
                    let request = ChatRequest(prompt: "Implement a lock-free queue in Rust, step by step, number \(index)", tenant: "acme")
                    return (try? await engine.completeWithinLimits(request))?.decision.costUSD ?? 0
                }
            }
            return await group.reduce(0, +)
        }
        #expect(costs > 0)
        // Each replica learns the other's spend: both see the fleet's total.
        #expect(await SharedStateReplicaTests.eventually { abs(Self.spent(engineA).day - costs) < 1e-9 && abs(Self.spent(engineB).day - costs) < 1e-9 }, "A \(Self.spent(engineA)), B \(Self.spent(engineB)), answered \(costs)")
        #expect(abs(Self.spent(engineA).month - costs) < 1e-9)
        runs.forEach { $0.cancel() }
        for run in runs { await run.value }

        // A replica started afterwards (a restart) begins from the fleet's spend, not from zero.
        let engineC = try Self.engine(budget: 1)
        let c = try await SharedStateReplica.connect(url: url, engine: engineC, options: options, logger: SharedStateReplicaTests.logger)
        let runC = Task { await c.run() }
        defer { runC.cancel() }
        #expect(abs(Self.spent(engineC).day - costs) < 1e-9, "\(Self.spent(engineC)) after a restart, \(costs) spent")
        #expect(abs(Self.spent(engineC).month - costs) < 1e-9)
        // And its budget holds against it: with the budget lowered below what was spent, only
        // the cache could answer (it is off here), so acme is refused.
        engineC.tenants.change("acme", TenantLimitsChange(dailyBudgetUSD: .some(costs / 2)))
        await #expect(throws: EngineError.self) { try await engineC.completeWithinLimits(ChatRequest(prompt: "one more", tenant: "acme")) }
    }
    /// The ledger keeps a bounded history: day rows older than `spendDaysKept` and month rows
    /// older than `spendMonthsKept` go in the clean-up; today's, this month's and recent ones stay.
    @Test func theCleanUpDeletesOldSpendRowsAndKeepsRecentOnes() async throws {
        guard let url = try await SharedStateReplicaTests.database() else { return }
        let database = try #require(URLComponents(string: url)?.path.dropFirst()).description
        var options = SharedStateReplica.Options(heartbeat: .milliseconds(20))
        options.cleanUpEvery = 5
        options.spendDaysKept = 62
        options.spendMonthsKept = 24
        let engine = try Self.engine(budget: 1)
        let replica = try await SharedStateReplica.connect(url: url, engine: engine, options: options, logger: SharedStateReplicaTests.logger)
        guard case (.day(let today), .month(let thisMonth)) = engine.tenants.currentPeriods() else { Issue.record("no periods"); return }
        let kept = ["d:\(today)", "d:\(today - 62)", "m:\(thisMonth)", "m:\(thisMonth - 24)"]
        let deleted = ["d:\(today - 63)", "d:\(today - 400)", "m:\(thisMonth - 25)"]
        let values = (kept + deleted).map { "('acme', '\($0)', 0.01)" }.joined(separator: ", ")
        _ = try await Self.sql(database, "INSERT INTO switchboard_tenant_spend (tenant, period, spent_usd) VALUES \(values)")
        let run = Task { await replica.run() }
        defer { run.cancel() }
        var left: Set<String> = []
        for _ in 0..<100 {
            left = Set(try await Self.sql(database, "SELECT period FROM switchboard_tenant_spend WHERE tenant = 'acme'").split(separator: "\n").map(String.init))
            if left.isDisjoint(with: deleted) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(left == Set(kept), "rows left: \(left.sorted())")
        // Today's row still counts: the replica read $0.01 spent today and this month.
        #expect(await SharedStateReplicaTests.eventually { abs(Self.spent(engine).day - 0.01) < 1e-9 && abs(Self.spent(engine).month - 0.01) < 1e-9 }, "\(Self.spent(engine))")
    }

    /// Runs one statement through the test server's control script; its rows, one a line.
    static func sql(_ database: String, _ statement: String) async throws -> String {
        let control = try #require(ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES_CTL"])
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: control)
        process.arguments = ["sql", database, statement]
        process.standardOutput = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(status == 0, "sql \(statement) failed")
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
