import ArgumentParser
import Foundation
import Logging
import ServingEngine
import SharedState

/// Joins the engine to a fleet when `--state` (or the configuration) names a shared database.
enum SharedStateWiring {
    /// Connects `engine` to the database at `url`; nil when there is none (the replica runs
    /// alone). The caller runs the replica (``service(_:)``) until shutdown; cancelling it writes
    /// what is still queued (for up to two seconds).
    /// A malformed URL, a refused login or a schema from a newer Switchboard stop the command
    /// with the reason; an unreachable database does not (the replica starts disconnected).
    /// - Parameter url: `--state`; without it, the configuration's `shared_state`.
    static func connect(url: String?, engine: ServingEngine, logger: Logger) async throws -> SharedStateReplica? {
        let configured: String?
        do {
            configured = try SharedStateConfiguration(engine.configuration).resolvedURL(environment: ProcessInfo.processInfo.environment, source: engine.configuration.source)
        } catch {
            throw ValidationError("invalid configuration: \(error.description)")
        }
        guard let url = url ?? configured else { return nil }
        do {
            return try await SharedStateReplica.connect(url: url, engine: engine, logger: logger)
        } catch {
            FileHandleOutput.standardError("error: shared state: \(error.message)")
            throw ExitCode(1)
        }
    }

    /// The replica's loop as a service: first in a group, so it stops last and shares what the
    /// others did while stopping.
    static func service(_ replica: SharedStateReplica) -> BackgroundService {
        BackgroundService("shared state") { await replica.run() }
    }
}
