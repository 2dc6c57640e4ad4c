import ServiceLifecycle

/// Work that runs for the life of a command — the traffic generator, the cache file's saver, the
/// shared-state loop — as a `Service`: on the group's graceful shutdown it is cancelled, and the
/// group waits for it to finish (the saver writes once more, the replica writes what is queued).
///
/// In a `ServiceGroup`, services shut down in the reverse of their order, so list them in the
/// order they depend on each other: the database first, the traffic last.
struct BackgroundService: Service, CustomStringConvertible {
    /// The name the group logs it by.
    let description: String
    let work: @Sendable () async -> Void

    init(_ description: String, work: @escaping @Sendable () async -> Void) {
        self.description = description
        self.work = work
    }

    func run() async throws {
        await cancelWhenGracefulShutdown(work)
    }
}
