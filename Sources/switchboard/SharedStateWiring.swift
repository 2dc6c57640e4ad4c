import ArgumentParser
import Foundation
import Logging
import ServingEngine
import SharedState

/// Joins the engine to a fleet when `--state` names a shared database.
enum SharedStateWiring {
    /// Connects `engine` to the database at `url` and keeps it in step in a background task;
    /// nil when `url` is nil (the replica runs alone). On shutdown the caller cancels the task
    /// and awaits it, which writes what is still queued (for up to two seconds).
    /// A malformed URL, a refused login or a schema from a newer Switchboard stop the command
    /// with the reason; an unreachable database does not (the replica starts disconnected).
    /// - Parameter url: `--state`; without it, the configuration's `shared_state`.
    static func start(url: String?, engine: ServingEngine, logger: Logger) async throws -> Task<Void, Never>? {
        let configured: String?
        do {
            configured = try engine.configuration.sharedState.resolvedURL(environment: ProcessInfo.processInfo.environment, source: engine.configuration.source)
        } catch {
            throw ValidationError("invalid configuration: \(error.description)")
        }
        guard let url = url ?? configured else { return nil }
        let replica: SharedStateReplica
        do {
            replica = try await SharedStateReplica.connect(url: url, engine: engine, logger: logger)
        } catch {
            FileHandleOutput.standardError("error: shared state: \(error.message)")
            throw ExitCode(1)
        }
        return Task { await replica.run() }
    }
}
