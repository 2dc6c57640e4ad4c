import Foundation
import Logging
import ServingEngine
import SharedState
import Testing

/// Tenants' spend through PostgreSQL: replicas share one budget, and a restarted replica keeps
/// the day's and the month's spend.
@Suite("Tenant spend shared through PostgreSQL")
struct TenantSpendSharingTests {
    /// The built-in deployment with instant providers and a tenant on a daily budget.
    static func engine(budget: Double) throws -> ServingEngine {
        var configuration = EngineConfiguration.builtIn
        configuration.cache.enabled = false
        configuration.tenants = [TenantConfiguration(name: "acme", limits: TenantLimits(dailyBudgetUSD: budget, monthlyBudgetUSD: 100))]
        return try ServingEngine(configuration: configuration, providers: configuration.providers.map { InstantProvider(name: $0.name, answer: "answer from \($0.name)") })
    }

    static func spent(_ engine: ServingEngine) -> (day: Double, month: Double) {
        let acme = engine.tenants.snapshot().first { $0.name == "acme" }
        return (acme?.spentTodayUSD ?? 0, acme?.spentThisMonthUSD ?? 0)
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
}
