import Foundation
import PostgresNIO
import ServingEngine

extension SharedStateReplica {
    /// Every ``Options/spendSync``: writes the spend this replica counted since the last time
    /// and reads the fleet's totals back, so that replicas share one budget per tenant and a
    /// restarted replica starts from the day's and the month's spend. No request waits for it.
    func spendLoop() async {
        while !Task.isCancelled {
            if state.withLock({ $0.migrated }) {
                do {
                    try await withTimeout(options.writeTimeout) { try await self.syncSpend() }
                } catch {
                    if Task.isCancelled { break }
                    markDisconnected(classify(error).message)
                }
            }
            try? await Task.sleep(for: options.spendSync)
        }
    }

    /// One exchange with the shared ledger: add this replica's unwritten spend (in one
    /// transaction, so a failure puts all of it back to be written later, never twice), then
    /// set every tenant's spend to the fleet's totals for the current day and month.
    func syncSpend() async throws {
        let tenants = engine.tenants
        let deltas = tenants.takeUnsyncedSpend()
        if !deltas.isEmpty {
            do {
                try await client.withTransaction(logger: logger) { connection in
                    for delta in deltas {
                        try await connection.query(
                            """
                            INSERT INTO switchboard_tenant_spend (tenant, period, spent_usd) VALUES (\(delta.key.tenant), \(delta.key.period.name), \(delta.dollars))
                            ON CONFLICT (tenant, period) DO UPDATE SET spent_usd = switchboard_tenant_spend.spent_usd + EXCLUDED.spent_usd
                            """,
                            logger: logger
                        )
                    }
                }
            } catch {
                tenants.returnUnsyncedSpend(deltas)
                throw error
            }
        }
        let (day, month) = tenants.currentPeriods()
        let rows = try await client.query(
            "SELECT tenant, period, spent_usd FROM switchboard_tenant_spend WHERE period = \(day.name) OR period = \(month.name)",
            logger: logger
        )
        var totals: [String: (day: Double, month: Double)] = [:]
        for try await (tenant, period, spent) in rows.decode((String, String, Double).self) {
            if period == day.name { totals[tenant, default: (0, 0)].day = spent } else { totals[tenant, default: (0, 0)].month = spent }
        }
        tenants.applyFleetSpend(totals)
        tenants.setFleetAvailable(true)
    }

    /// Deletes spend rows older than the options keep: days before today − `spendDaysKept`,
    /// months before this month − `spendMonthsKept`. Today's and this month's rows, the only
    /// ones a budget reads, are never touched.
    func deleteOldSpend() async throws {
        guard case (.day(let today), .month(let thisMonth)) = engine.tenants.currentPeriods() else { return }
        let (oldestDay, oldestMonth) = (today - max(1, options.spendDaysKept), thisMonth - max(1, options.spendMonthsKept))
        try await client.query(
            """
            DELETE FROM switchboard_tenant_spend
            WHERE (period LIKE 'd:%' AND split_part(period, ':', 2)::bigint < \(oldestDay))
               OR (period LIKE 'm:%' AND split_part(period, ':', 2)::bigint < \(oldestMonth))
            """,
            logger: logger
        )
    }
}
