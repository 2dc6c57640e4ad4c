import NIOCore
import NIOPosix

/// Where a process's Swift tasks run.
///
/// By default Swift runs tasks on its own thread pool, and every read or write of a socket happens
/// on one of SwiftNIO's event loops, so each request hops between the two pools several times
/// (the server's read, the handler, the engine, the upstream call, the answer), each hop a thread
/// woken on the other core. Run on the event loops instead, a request's tasks stay on the loop
/// that received it: requests spread over the loops by connection, but work that one task fans out
/// (a traffic generator's thousand requests a second) stays on that task's loop, so such a
/// process keeps `.pool`.
package enum TaskExecution: String, Sendable, CaseIterable {
    /// Tasks run on SwiftNIO's event loops (the process's one event-loop group, which the server,
    /// the HTTP client and PostgreSQL already share).
    case eventLoops = "event-loops"
    /// Tasks run on Swift's global concurrency pool.
    case pool

    /// Makes this the process's choice. Call once, before the first task is started; with
    /// `.eventLoops`, false when the runtime did not allow the takeover (tasks then stay on the
    /// pool). Work that blocks a thread must not run in a task with `.eventLoops`: the embedder's
    /// matrix work and file I/O already run on dispatch queues of their own.
    @discardableResult
    package func install() -> Bool {
        switch self {
        case .pool: true
        case .eventLoops: NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
    }
}
