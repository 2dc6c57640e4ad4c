import Foundation
import Logging
import PostgresNIO
import ServingEngine

extension SharedStateReplica {
    /// Writes queued changes in order, consecutive cache entries up to 100 to a statement; a
    /// failed write stays at the head and is retried with a growing pause, so an outage costs
    /// one attempt per pause, not a busy loop.
    func writeLoop() async {
        for await _ in wakeups {
            var pause = Duration.milliseconds(100)
            while !Task.isCancelled {
                guard state.withLock({ $0.migrated }) else {
                    try? await Task.sleep(for: .milliseconds(200))
                    continue
                }
                let batch = state.withLock { $0.queue.nextBatch(limit: 100) }
                guard let first = batch.first else { break }
                let started = ContinuousClock.now
                do {
                    try await withTimeout(options.writeTimeout) { [client, replicaID, embedder, logger] in
                        if batch.count > 1 {
                            try await SharedStateRows.writeEntries(batch, replica: replicaID, embedder: embedder, on: client, logger: logger)
                        } else {
                            try await SharedStateRows.write(first, replica: replicaID, embedder: embedder, on: client, logger: logger)
                        }
                    }
                    options.onWritten?(.now - started, batch.count)
                    state.withLock { $0.queue.written(batch.map(\.id)) }
                    pause = .milliseconds(100)
                    publishStatus()
                } catch {
                    logger.debug("shared state: write failed, will retry: \(classify(error).message)")
                    try? await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(2))
                }
            }
        }
    }

    /// Holds one connection that LISTENs; after each (re)connection, catches up before
    /// declaring itself connected, so that nothing sent during the gap is missed.
    func listenLoop() async {
        while !Task.isCancelled {
            do {
                if !state.withLock({ $0.migrated }) {
                    _ = try await SharedStateSchema.migrate(client, location: location.description, logger: logger)
                    state.withLock { $0.migrated = true }
                    wake.yield()
                }
                try await client.withConnection { connection in
                    try await connection.listen(on: SharedStateSchema.channel) { notifications in
                        try await self.catchUp(on: connection)
                        self.state.withLock {
                            $0.connection = .connected
                            $0.listening = true
                        }
                        self.engine.tenants.setFleetAvailable(true)
                        self.publishStatus()
                        self.logger.info("shared state: connected to \(self.location), listening")
                        for try await notification in notifications {
                            try await self.handle(notification.payload, on: connection)
                        }
                    }
                }
                markDisconnected("the connection to \(location) closed")
            } catch {
                if Task.isCancelled { break }
                markDisconnected(classify(error).message)
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Reports this replica alive, lists the live ones, and removes expired entries.
    func heartbeatLoop() async {
        var beats = 0
        while !Task.isCancelled {
            if state.withLock({ $0.migrated }) {
                let cleanUp = beats % max(1, options.cleanUpEvery) == 0
                do {
                    try await withTimeout(options.writeTimeout) { [self] in
                        try await client.query(
                            """
                            INSERT INTO switchboard_replicas (replica, started_at, last_seen) VALUES (\(replicaID), \(startedAt), now())
                            ON CONFLICT (replica) DO UPDATE SET last_seen = now()
                            """,
                            logger: logger
                        )
                        var replicas: [SharedStateStatus.Replica] = []
                        let seconds = Double(options.replicaTimeout.components.seconds)
                        let rows = try await client.query(
                            "SELECT replica, last_seen FROM switchboard_replicas WHERE last_seen > now() - make_interval(secs => \(seconds)) ORDER BY started_at",
                            logger: logger
                        )
                        for try await (id, lastSeen) in rows.decode((String, Date).self) { replicas.append(.init(id: id, lastSeen: lastSeen)) }
                        if cleanUp {
                            try await client.query("DELETE FROM switchboard_cache_entries WHERE expires_at < now()", logger: logger)
                            try await client.query("DELETE FROM switchboard_replicas WHERE last_seen < now() - interval '1 day'", logger: logger)
                            try await client.query("DELETE FROM switchboard_tenant_windows WHERE minute < floor(extract(epoch FROM now()) / 60)::bigint - 5", logger: logger)
                            try await deleteOldSpend()
                        }
                        state.withLock { $0.replicas = replicas }
                        engine.tenants.setFleetSize(replicas.count)
                    }
                } catch {
                    if Task.isCancelled { break }
                    markDisconnected(classify(error).message)
                }
                beats += 1
                publishStatus()
            }
            try? await Task.sleep(for: options.heartbeat)
        }
    }

    func markDisconnected(_ reason: String) {
        engine.tenants.setFleetAvailable(false)
        let wasConnected = state.withLock { state in
            defer {
                state.connection = .disconnected(reason: reason)
                state.listening = false
            }
            return state.connection == .connected
        }
        if wasConnected { logger.warning("shared state: disconnected: \(reason); serving from local state") }
        publishStatus()
    }

    /// Applies what other replicas did since the last sync: invalidations first (they removed
    /// rows the entry query will no longer return), then new entries, then every override.
    func catchUp(on connection: PostgresConnection) async throws {
        let since = state.withLock { $0.lastInvalidationID }
        let invalidations = try await SharedStateRows.invalidations(after: since ?? 0, on: connection, logger: logger)
        if since != nil {
            for invalidation in invalidations where invalidation.replica != replicaID {
                apply(.cacheInvalidated(tenant: invalidation.tenant, model: invalidation.model))
            }
        }
        let newestInvalidation = invalidations.last?.id ?? since ?? 0
        // Rows whose transactions were still open at the last sync can carry lower ids than
        // rows already seen: look back a little (re-applying an entry only refreshes it).
        let after = max(0, state.withLock { $0.lastEntryID } - 256)
        let entries = try await SharedStateRows.entries(after: after, embedder: embedder, excluding: replicaID, on: connection, logger: logger)
        applyEntries(entries)
        for change in try await SharedStateRows.overrides(on: connection, logger: logger) where change.setBy != replicaID {
            apply(.overrideChanged(change))
        }
        for record in try await SharedStateRows.tenantLimits(on: connection, logger: logger) where record.setBy != replicaID {
            apply(.tenantLimitsChanged(record))
        }
        state.withLock {
            $0.lastInvalidationID = newestInvalidation
            $0.lastSync = Date()
        }
        publishStatus()
    }

    /// Handles one notification: `KIND|REPLICA|REFERENCE`.
    func handle(_ payload: String, on connection: PostgresConnection) async throws {
        let parts = payload.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else {
            logger.debug("shared state: ignoring a notification of unknown form: \(payload)")
            return
        }
        let (kind, origin, reference) = (parts[0], parts[1], parts[2])
        switch kind {
        case "e":
            guard let id = Int64(reference), origin != replicaID else { return }
            let (seen, newest) = state.withLock { ($0.appliedEntryIDs.contains(id), $0.lastEntryID) }
            if seen { return }
            if id > newest {
                // Everything newer in one query: under load, one round trip covers many notifications.
                applyEntries(try await SharedStateRows.entries(after: newest, embedder: embedder, excluding: replicaID, on: connection, logger: logger))
            } else if let entry = try await SharedStateRows.entry(id: id, embedder: embedder, on: connection, logger: logger) {
                // A row that committed after higher ids were read.
                applyEntries([(id, entry)])
            }
        case "i":
            let since = state.withLock { $0.lastInvalidationID } ?? 0
            let invalidations = try await SharedStateRows.invalidations(after: since, on: connection, logger: logger)
            for invalidation in invalidations where invalidation.replica != replicaID {
                apply(.cacheInvalidated(tenant: invalidation.tenant, model: invalidation.model))
            }
            if let last = invalidations.last?.id { state.withLock { $0.lastInvalidationID = last } }
        case "o":
            guard origin != replicaID else { return }
            for change in try await SharedStateRows.overrides(provider: reference, on: connection, logger: logger) {
                apply(.overrideChanged(change))
            }
        case "t":
            guard origin != replicaID else { return }
            for record in try await SharedStateRows.tenantLimits(tenant: reference, on: connection, logger: logger) {
                apply(.tenantLimitsChanged(record))
            }
        default:
            logger.debug("shared state: ignoring a notification of unknown kind: \(payload)")
        }
        state.withLock { $0.lastSync = Date() }
        publishStatus()
    }

    func applyEntries(_ entries: [(id: Int64, entry: SharedCacheEntry)]) {
        for (_, entry) in entries { apply(.cacheEntryStored(entry)) }
        guard let newest = entries.map(\.id).max() else { return }
        state.withLock { state in
            state.lastEntryID = max(state.lastEntryID, newest)
            state.appliedEntryIDs.formUnion(entries.map(\.id))
            if state.appliedEntryIDs.count > 20_000 {
                let floor = state.lastEntryID - 10_000
                state.appliedEntryIDs = state.appliedEntryIDs.filter { $0 > floor }
            }
        }
    }

    func apply(_ change: SharedChange) {
        guard engine.applyShared(change) else { return }
        state.withLock { $0.appliedRemote += 1 }
        options.onApplied?(change)
    }

    /// Runs `operation`, giving up after `limit`.
    func withTimeout<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw SharedStateError(.unreachable, "\(location): no answer within \(limit.components.seconds) s; is PostgreSQL running and reachable?")
            }
            return value
        }
    }

    /// Turns any error into a ``SharedStateError`` with a message an operator can act on.
    func classify(_ error: any Error) -> SharedStateError {
        if let error = error as? SharedStateError { return error }
        if let error = error as? PostgresTransactionError, let cause = error.closureError ?? error.beginError ?? error.commitError {
            return classify(cause)
        }
        guard let error = error as? PSQLError else {
            return SharedStateError(.unreachable, "\(location): \(error)")
        }
        if let info = error.serverInfo, let sqlState = info[.sqlState] {
            let message = info[.message] ?? "no message"
            switch sqlState {
            case "28P01", "28000":
                return SharedStateError(.refused, "\(location): the server refused the login (\(sqlState): \(message)); check the user and password in --state or PGPASSWORD")
            case "3D000":
                return SharedStateError(.refused, "\(location): \(message) (\(sqlState)); create it first, e.g. `createdb \(location.configuration.database ?? "switchboard")`")
            case "42501":
                return SharedStateError(.refused, "\(location): permission denied (\(sqlState): \(message)); the user needs to create tables in this database")
            case "57P01", "57P02", "57P03", "08000", "08003", "08006":
                return SharedStateError(.unreachable, "\(location): the server is shutting down or not accepting connections (\(sqlState): \(message))")
            default:
                return SharedStateError(.database, "\(location): the database reported \(sqlState): \(message)")
            }
        }
        switch error.code {
        case .authMechanismRequiresPassword:
            return SharedStateError(.refused, "\(location): the server asks for a password; put it in the URL or in PGPASSWORD")
        case .sslUnsupported:
            return SharedStateError(.refused, "\(location): sslmode=require, but the server does not offer TLS; use sslmode=prefer or disable, or enable TLS on the server")
        default:
            let underlying = error.underlying.map { ": \($0)" } ?? ""
            return SharedStateError(.unreachable, "\(location): cannot reach the server (\(error.code)\(underlying))")
        }
    }
}
