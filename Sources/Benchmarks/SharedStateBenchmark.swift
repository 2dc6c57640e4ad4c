import Foundation
package import Logging
import ServingEngine
import SharedState
import Synchronization
import TestSupport

/// Measures shared state against a real database: the write-through cost of one cache entry
/// (an INSERT that also notifies, one round trip) and how long an entry cached on one replica
/// takes to become visible on another (write, NOTIFY, fetch by id, apply), at a steady rate.
///
/// Two replicas run in this process against the same database, each with its own engine over
/// providers that answer at once. The entries go into a tenant of their own, invalidated at the
/// end, so the benchmark leaves nothing behind but the replica rows that age out.
package struct SharedStateBenchmark: Sendable {
    /// What one run measured.
    package struct Report: Sendable {
        /// Entries cached on the first replica.
        package var entries: Int
        /// Entries that became visible on the second replica before the wait ended.
        package var visible: Int
        /// The rate they were cached at, per second.
        package var rate: Double
        /// Write-through time per entry, ascending: each statement's time divided among the
        /// entries it carried (one each while the writer keeps up; a backlog is written up to
        /// 100 entries a statement).
        package var writes: [Duration]
        /// Statements the writer needed for the entries.
        package var statements: Int
        /// Delay from caching on one replica to being served by the other, ascending.
        package var visibility: [Duration]
    }

    /// The database URL.
    package var url: String
    /// How many entries to cache.
    package var entries: Int
    /// Entries per second.
    package var rate: Double

    /// Creates a benchmark.
    package init(url: String, entries: Int = 2_000, rate: Double = 200) {
        self.url = url
        self.entries = entries
        self.rate = rate
    }

    private final class Recorder: Sendable {
        let writes = Mutex<[Duration]>([])
        let statements = Mutex(0)
        let visibility = Mutex<[Duration]>([])
    }

    /// Runs the measurement.
    /// - Throws: ``SharedStateError`` when the database cannot be used.
    package func run(logger: Logger) async throws -> Report {
        let recorder = Recorder()
        let tenant = "bench-\(UInt32.random(in: 0...UInt32.max))"
        let configuration = EngineConfiguration.builtIn
        func engine() throws -> ServingEngine {
            try ServingEngine(configuration: configuration, providers: configuration.providers.map { InstantProvider(name: $0.name) })
        }
        let (engineA, engineB) = (try engine(), try engine())
        let writer = try await SharedStateReplica.connect(
            url: url, engine: engineA, options: .init(onWritten: { duration, count in
                recorder.statements.withLock { $0 += 1 }
                recorder.writes.withLock { $0.append(contentsOf: repeatElement(duration / count, count: count)) }
            }),
            logger: logger
        )
        let reader = try await SharedStateReplica.connect(
            url: url, engine: engineB,
            options: .init(onApplied: { change in
                guard case .cacheEntryStored(let entry) = change, entry.scope.tenant == tenant else { return }
                let delay = Date().timeIntervalSince(entry.createdAt)
                recorder.visibility.withLock { $0.append(.microseconds(Int64(delay * 1_000_000))) }
            }),
            logger: logger
        )
        let runs = [Task { await writer.run() }, Task { await reader.run() }]
        defer { runs.forEach { $0.cancel() } }
        for _ in 0..<100 where !(writer.status.connection == .connected && reader.status.connection == .connected) {
            try await Task.sleep(for: .milliseconds(100))
        }
        guard writer.status.connection == .connected, reader.status.connection == .connected else {
            throw SharedStateError(.unreachable, "\(writer.location): the replicas did not connect within 10 s: \(writer.status.connection)")
        }

        var options = RequestOptions()
        options.cacheLookup = false
        let start = ContinuousClock.now
        for index in 0..<entries {
            let due = start + .milliseconds(Int64(Double(index) * 1000 / rate))
            if due > .now { try await Task.sleep(until: due) }
            let request = ChatRequest(messages: [ChatMessage(role: .user, content: "benchmark entry \(index) of \(tenant)")], tenant: tenant, options: options)
            _ = try await engineA.complete(request)
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while recorder.visibility.withLock({ $0.count }) < entries, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = try? engineA.perform(.invalidateCache(tenant: tenant, model: nil))
        for _ in 0..<50 where writer.status.queuedWrites > 0 {
            try await Task.sleep(for: .milliseconds(100))
        }
        let visibility = recorder.visibility.withLock { $0 }.sorted()
        return Report(
            entries: entries, visible: visibility.count, rate: rate, writes: recorder.writes.withLock { $0 }.sorted(),
            statements: recorder.statements.withLock { $0 }, visibility: visibility
        )
    }
}
