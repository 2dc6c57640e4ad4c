import Foundation
import PostgresNIO
import ServingEngine

extension SharedStateReplica {
    /// Every ``Options/leaseCheck``: takes the leases of tenants' per-minute windows that run
    /// low and gives back the rest of idle ones, all in one transaction. Requests never wait
    /// for it: a replica runs up to one slice ahead of its lease while the next one comes.
    func leaseLoop() async {
        while !Task.isCancelled {
            if state.withLock({ $0.migrated }) {
                let work = engine.tenants.leaseWork()
                if !work.isEmpty {
                    do {
                        let results = try await withTimeout(options.writeTimeout) { try await self.exchange(work) }
                        engine.tenants.leaseSettled(results)
                    } catch {
                        engine.tenants.leaseFailed(work)
                        if Task.isCancelled { break }
                        markDisconnected(classify(error).message)
                    }
                }
            }
            try? await Task.sleep(for: options.leaseCheck)
        }
    }

    /// Gives back every lease's unused rest (at shutdown), so the others may use it this minute.
    func returnLeases() async throws {
        let work = engine.tenants.releaseLeases()
        guard !work.isEmpty else { return }
        do {
            engine.tenants.leaseSettled(try await exchange(work))
        } catch {
            engine.tenants.leaseFailed(work)
            throw error
        }
    }

    /// One round with the shared rows: each ask is granted what is left of the limit in its
    /// minute, up to the amount asked (the row is locked while it is read and raised, so two
    /// replicas never share out the same units); each return lowers the row.
    func exchange(_ work: [LeaseExchange]) async throws -> [(exchange: LeaseExchange, granted: Double, fleetGranted: Double)] {
        try await client.withTransaction(logger: logger) { connection in
            var results: [(exchange: LeaseExchange, granted: Double, fleetGranted: Double)] = []
            for item in work {
                let (tenant, kind, minute) = (item.tenant, item.kind.rawValue, Int64(item.minute))
                if item.amount > 0 {
                    // ON CONFLICT DO UPDATE locks the row and returns its committed value.
                    let rows = try await connection.query(
                        """
                        INSERT INTO switchboard_tenant_windows (tenant, kind, minute, granted) VALUES (\(tenant), \(kind), \(minute), 0)
                        ON CONFLICT (tenant, kind, minute) DO UPDATE SET granted = switchboard_tenant_windows.granted
                        RETURNING granted
                        """,
                        logger: logger
                    )
                    var before = 0.0
                    for try await value in rows.decode(Double.self) { before = value }
                    let granted = min(item.amount, max(0, item.limit - before))
                    if granted > 0 {
                        try await connection.query(
                            "UPDATE switchboard_tenant_windows SET granted = granted + \(granted) WHERE tenant = \(tenant) AND kind = \(kind) AND minute = \(minute)",
                            logger: logger
                        )
                    }
                    results.append((item, granted, before + granted))
                } else {
                    let rows = try await connection.query(
                        "UPDATE switchboard_tenant_windows SET granted = GREATEST(0, granted - \(-item.amount)) WHERE tenant = \(tenant) AND kind = \(kind) AND minute = \(minute) RETURNING granted",
                        logger: logger
                    )
                    var after = 0.0
                    for try await value in rows.decode(Double.self) { after = value }
                    results.append((item, 0, after))
                }
            }
            return results
        }
    }
}
