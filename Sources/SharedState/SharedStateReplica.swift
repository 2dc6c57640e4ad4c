import Foundation
package import Logging
import PostgresNIO
package import ServingEngine
import Synchronization

/// Makes one Switchboard process a replica of a fleet that shares its cache and its operator
/// overrides through PostgreSQL.
///
/// Local changes go through a bounded ``WriteQueue`` to the database (write-through, off the
/// request path); other replicas' changes arrive by `LISTEN/NOTIFY` and are applied to the
/// engine without being echoed back. After every (re)connection a catch-up query applies what
/// was missed. When the database is away nothing fails: the replica serves from its own state,
/// reports "disconnected", keeps up to ``Options/queueCapacity`` changes (dropping the oldest,
/// counted), and resynchronises when the database returns.
///
/// ```swift
/// let replica = try await SharedStateReplica.connect(url: "postgres://switchboard@db/switchboard", engine: engine, logger: logger)
/// try await replica.run()   // until cancelled
/// ```
package final class SharedStateReplica: Sendable {
    /// Tuning knobs; the defaults suit a fleet of a few replicas.
    package struct Options: Sendable {
        /// The most local changes kept while the database cannot be written; beyond it the oldest go.
        package var queueCapacity: Int
        /// How often the replica reports itself alive and refreshes the list of replicas.
        package var heartbeat: Duration
        /// A replica silent for this long is no longer listed.
        package var replicaTimeout: Duration
        /// How long the first connection may take before the replica starts disconnected.
        package var startTimeout: Duration
        /// How long one write may take before it is retried.
        package var writeTimeout: Duration
        /// Called after each write reaches the database, with how long it took and how many
        /// changes it carried (benchmarks).
        package var onWritten: (@Sendable (Duration, Int) -> Void)?
        /// Called after each change from another replica is applied here (benchmarks, tests).
        package var onApplied: (@Sendable (SharedChange) -> Void)?
        /// How often tenants' spend is written to the shared ledger and the fleet's totals read back.
        package var spendSync: Duration = .milliseconds(500)
        /// How often the replica looks for per-minute leases to take or give back (a lock, no
        /// query, when none is needed).
        package var leaseCheck: Duration = .milliseconds(20)
        /// A lease of a per-minute limit is `1 / (leaseSlices × replicas)` of it: a fleet of `n`
        /// admits at most `limit + n × slice` in a UTC minute (see the README, "Tenants").
        package var leaseSlices = 4
        /// UTC days of spend the shared ledger keeps per tenant (`d:N` rows); older days are
        /// deleted in the hourly-or-so clean-up. Months (`m:N`) are kept for `spendMonthsKept`.
        /// A budget only ever reads today and this month, so this bounds the table, not a limit.
        package var spendDaysKept = 62
        /// Calendar months of spend kept per tenant.
        package var spendMonthsKept = 24
        /// Clean-up (expired cache entries, silent replicas, old minute windows and spend rows)
        /// runs every this many heartbeats.
        package var cleanUpEvery = 30

        /// Creates options.
        package init(
            queueCapacity: Int = 10_000, heartbeat: Duration = .seconds(1), replicaTimeout: Duration = .seconds(10),
            startTimeout: Duration = .seconds(5), writeTimeout: Duration = .seconds(5),
            onWritten: (@Sendable (Duration, Int) -> Void)? = nil, onApplied: (@Sendable (SharedChange) -> Void)? = nil
        ) {
            self.queueCapacity = queueCapacity
            self.heartbeat = heartbeat
            self.replicaTimeout = replicaTimeout
            self.startTimeout = startTimeout
            self.writeTimeout = writeTimeout
            self.onWritten = onWritten
            self.onApplied = onApplied
        }
    }

    struct State: Sendable {
        var queue: WriteQueue
        var connection = SharedStateStatus.Connection.disconnected(reason: "not connected yet")
        var listening = false
        var migrated = false
        var replicas: [SharedStateStatus.Replica] = []
        var lastEntryID: Int64 = 0
        /// Entry ids applied recently, so that the notifications of rows a batch already
        /// fetched cost no query.
        var appliedEntryIDs: Set<Int64> = []
        /// Nil until the first sync, which starts from the newest invalidation instead of replaying history.
        var lastInvalidationID: Int64?
        var appliedRemote = 0
        var lastSync: Date?
    }

    /// This replica's id.
    package let replicaID: String
    /// Where the database is (without the password).
    package let location: SharedStateLocation
    let client: PostgresClient
    let engine: ServingEngine
    let embedder: String
    let logger: Logger
    let options: Options
    let startedAt = Date()
    let state: Mutex<State>
    let wake: AsyncStream<Void>.Continuation
    let wakeups: AsyncStream<Void>
    let clientTask: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(location: SharedStateLocation, engine: ServingEngine, options: Options, logger: Logger) {
        self.replicaID = ReplicaID.make()
        self.location = location
        self.engine = engine
        self.embedder = engine.snapshot(activityLimit: 0).cache.embedder
        self.options = options
        var logger = logger
        logger[metadataKey: "replica"] = "\(replicaID)"
        self.logger = logger
        client = PostgresClient(configuration: location.configuration, backgroundLogger: Logger(label: "switchboard.postgres", factory: { _ in SwiftLogNoOpLogHandler() }))
        state = Mutex(State(queue: WriteQueue(capacity: options.queueCapacity)))
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Connects to the shared database at `url`, creates or migrates its schema, loads the
    /// shared cache into `engine`, and attaches to the engine so that local changes are shared.
    ///
    /// A database that cannot be reached within ``Options/startTimeout`` is not an error: the
    /// replica starts disconnected and catches up once ``run()`` reaches the database.
    /// - Throws: ``SharedStateError``: a malformed URL, a refused login or missing database,
    ///   or a schema newer than this binary.
    package static func connect(url: String, engine: ServingEngine, options: Options = Options(), logger: Logger) async throws(SharedStateError) -> SharedStateReplica {
        let location = try SharedStateLocation(url: url)
        let replica = SharedStateReplica(location: location, engine: engine, options: options, logger: logger)
        let client = replica.client
        engine.tenants.joinFleet(onUnavailable: engine.configuration.onSharedStateUnavailable, leaseSlices: options.leaseSlices)
        replica.clientTask.withLock { $0 = Task { await client.run() } }
        do {
            try await replica.withTimeout(options.startTimeout) {
                // One plain connection first: the pool retries a refused login forever, this says why at once.
                let probe = try await PostgresConnection.connect(configuration: try await location.probeConfiguration(), id: 0, logger: logger)
                try? await probe.close()
                _ = try await SharedStateSchema.migrate(client, location: location.description, logger: logger)
                replica.state.withLock { $0.migrated = true }
                try await client.withConnection { connection in try await replica.catchUp(on: connection) }
                try await replica.syncSpend()
            }
            replica.state.withLock { $0.connection = .connected }
            engine.tenants.setFleetAvailable(true)
            let loaded = replica.state.withLock { $0.appliedRemote }
            logger.info("shared state: connected to \(location), \(loaded) cached answers loaded", metadata: ["replica": "\(replica.replicaID)"])
        } catch {
            let failure = replica.classify(error)
            if failure.kind != .unreachable {
                replica.stopClient()
                throw failure
            }
            replica.state.withLock { $0.connection = .disconnected(reason: failure.message) }
            logger.warning("shared state: \(failure.message); serving from local state and retrying in the background")
        }
        engine.attachSharedState(replicaID: replica.replicaID) { [weak replica] change in replica?.enqueue(change) }
        replica.publishStatus()
        return replica
    }

    /// Keeps the replica in step with the fleet until the task is cancelled: writes local
    /// changes, listens for the others', reconnects and catches up after outages, and reports
    /// itself alive. On cancellation it spends up to two seconds writing what is still queued,
    /// so a graceful shutdown shares the last answers too.
    package func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.writeLoop() }
            group.addTask { await self.listenLoop() }
            group.addTask { await self.heartbeatLoop() }
            group.addTask { await self.spendLoop() }
            group.addTask { await self.leaseLoop() }
            await group.waitForAll()
        }
        // A task of its own: this one is cancelled, and the flush must still run.
        await Task {
            await self.flush(within: .seconds(2))
            try? await self.withTimeout(.seconds(2)) { try await self.syncSpend() }
            try? await self.withTimeout(.seconds(1)) { try await self.returnLeases() }
        }.value
        stopClient()
    }

    /// Writes queued changes until none are left or `limit` passes.
    func flush(within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline, state.withLock({ $0.migrated }), let item = state.withLock({ $0.queue.next() }) {
            do {
                try await withTimeout(deadline - .now) { [client, replicaID, embedder, logger] in
                    try await SharedStateRows.write(item, replica: replicaID, embedder: embedder, on: client, logger: logger)
                }
                state.withLock { $0.queue.written(item.id) }
            } catch {
                logger.warning("shared state: \(state.withLock { $0.queue.count }) changes not written at shutdown: \(classify(error).message)")
                return
            }
        }
    }

    /// The status operators see, as the engine's snapshots report it.
    package var status: SharedStateStatus {
        state.withLock { state in
            SharedStateStatus(
                connection: state.connection, replicaID: replicaID, location: location.description, replicas: state.replicas,
                queuedWrites: state.queue.count, droppedWrites: state.queue.dropped, appliedRemote: state.appliedRemote, lastSync: state.lastSync,
                onUnavailable: engine.configuration.onSharedStateUnavailable
            )
        }
    }

    func enqueue(_ change: SharedChange) {
        let dropped = state.withLock { $0.queue.enqueue(WriteQueue.Item(id: UUID().uuidString, change: change)) }
        if dropped { logger.debug("shared state: write queue full, oldest change dropped") }
        wake.yield()
        publishStatus()
    }

    func publishStatus() {
        engine.updateSharedStateStatus(status)
    }

    func stopClient() {
        clientTask.withLock { task in
            task?.cancel()
            task = nil
        }
    }
}
