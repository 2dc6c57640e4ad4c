import NIOCore
import Synchronization

/// The body of a response on an ``UpstreamConnection``, read in the caller's task; dropping it
/// before its end hands the rest back to the connection, which drains or closes it.
final class UpstreamConnectionBody: UpstreamBody {
    private let connection: UpstreamConnection
    private let lease: Int
    private let done = Atomic<Bool>(false)

    init(connection: UpstreamConnection, lease: Int) {
        self.connection = connection
        self.lease = lease
    }

    func next() async throws -> ByteBuffer? {
        let part = try await connection.next(lease)
        if part == nil { done.store(true, ordering: .relaxed) }
        return part
    }

    deinit {
        guard !done.load(ordering: .relaxed) else { return }
        let connection = connection
        let lease = lease
        if connection.eventLoop.inEventLoop {
            connection.abandon(lease)
        } else {
            connection.eventLoop.execute { connection.abandon(lease) }
        }
    }
}
