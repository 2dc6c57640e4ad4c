import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The gateway's HTTP/1.1 client for provider calls, on SwiftNIO directly: a keep-alive
/// connection pool per origin, each request written in one buffer, and the response read in the
/// caller's task from the connection's own buffer (no task, stream or state machine of its own
/// per request).
///
/// Connections are made on the caller's event loop when it runs on one (``serve`` runs its tasks
/// on SwiftNIO's event loops), and a caller on a loop is only given an idle connection on that
/// loop — with none there, a new one is made — so a request never changes thread. (Lending it
/// one on another loop cost two cross-thread wake-ups a request: the request's write woke that
/// loop, and the answer resumed the caller's task there, whose response write then woke the
/// server connection's loop back.) A request whose reused connection turns out closed before any byte of a
/// response arrived — the server closed it while it sat in the pool — is sent once more on a fresh
/// connection. Cancelling the caller's task closes the connection.
///
/// ```swift
/// let client = UpstreamHTTPClient(connectTimeout: .seconds(5), readTimeout: .seconds(120))
/// let response = try await client.execute(UpstreamRequest(method: .get, url: "http://127.0.0.1:8000/v1/models"), timeout: .seconds(2))
/// let body = try await response.body.collect(upTo: 1 << 20)
/// try await client.shutdown()
/// ```
final class UpstreamHTTPClient: UpstreamTransport {
    private let group: MultiThreadedEventLoopGroup
    private let connectTimeout: TimeAmount
    private let readTimeout: TimeAmount
    private let idleTimeout: Duration
    private let maxIdlePerOrigin: Int
    private let pool = Mutex(Pool())
    private let tlsConfiguration: TLSConfiguration
    private let tls = Mutex<NIOSSLContext?>(nil)
    /// The request URLs parsed so far: a provider sends every call to the same one or two, and
    /// looking one up costs less than parsing it (0.7 % of `serve`'s CPU did). Emptied when it
    /// reaches ``maxParsedURLs``, so a caller of many URLs cannot grow it without bound.
    private let parsedURLs = Mutex<[String: UpstreamURL]>([:])
    private static let maxParsedURLs = 256

    private struct Idle {
        var connection: UpstreamConnection
        var since: ContinuousClock.Instant
    }

    private struct Pool {
        var idle: [UpstreamURL.Origin: [Idle]] = [:]
        var shutDown = false
    }

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - connectTimeout: how long a TCP connect may take.
    ///   - readTimeout: how long the server may stay silent while a response is awaited.
    ///   - idleTimeout: how long an unused connection is kept for reuse (checked when a request
    ///     looks for one: an idle connection is not closed on a timer, only when the server closes it,
    ///     the next request finds it too old, or the client shuts down).
    ///   - maxIdlePerOrigin: most unused connections kept per origin; more are closed.
    ///   - tls: for `https://` upstreams: the system's trust roots and full verification (chain
    ///     and host name) by default; the URL's host name goes out as SNI.
    init(connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(120), idleTimeout: Duration = .seconds(60), maxIdlePerOrigin: Int = 256, tls: TLSConfiguration = .makeClientConfiguration()) {
        tlsConfiguration = tls
        group = .singleton
        self.connectTimeout = TimeAmount(connectTimeout)
        self.readTimeout = TimeAmount(readTimeout)
        self.idleTimeout = idleTimeout
        self.maxIdlePerOrigin = maxIdlePerOrigin
    }

    func execute(_ request: UpstreamRequest, timeout: Duration?) async throws -> UpstreamResponse {
        try await execute(request, timeout: timeout, from: MultiThreadedEventLoopGroup.currentEventLoop)
    }

    /// Sends `request` as a caller on `eventLoop` (nil: on no event loop, which may be given any
    /// idle connection).
    func execute(_ request: UpstreamRequest, timeout: Duration?, from eventLoop: (any EventLoop)?) async throws -> UpstreamResponse {
        let url = try parsed(request.url)
        let bytes = try Self.encode(request, url)
        let head = request.method == .post ? Self.postHead : Self.getHead
        if let idle = try leaseIdle(url.origin, preferring: eventLoop) {
            do {
                return try await send(bytes, head: head, on: idle, timeout: timeout)
            } catch let error as UpstreamHTTPError where !error.responseStarted && error.code == .connectionClosed {
                // The server closed the kept-alive connection before reading the request (no
                // byte of an answer came): send it once more on a fresh one.
            }
        }
        let fresh = try await connect(url.origin, on: eventLoop ?? group.next())
        return try await send(bytes, head: head, on: fresh, timeout: timeout)
    }

    /// `text` parsed, from ``parsedURLs`` when it was parsed before.
    private func parsed(_ text: String) throws(UpstreamHTTPError) -> UpstreamURL {
        if let url = parsedURLs.withLock({ $0[text] }) { return url }
        let url = try UpstreamURL(text)
        parsedURLs.withLock { urls in
            if urls.count >= Self.maxParsedURLs { urls.removeAll(keepingCapacity: true) }
            urls[text] = url
        }
        return url
    }

    /// Closes the unused connections; connections in use close when their request ends, and no
    /// request starts any more.
    func shutdown() async {
        let idle = pool.withLock { pool in
            pool.shutDown = true
            defer { pool.idle = [:] }
            return pool.idle.values.flatMap { $0 }
        }
        for entry in idle {
            let connection = entry.connection
            connection.eventLoop.execute { connection.close(UpstreamHTTPError(.shutDown, "the gateway's upstream client was shut down")) }
        }
    }

    // MARK: Sending

    private func send(_ bytes: ByteBuffer, head: HTTPRequestHead, on connection: UpstreamConnection, timeout: Duration?) async throws -> UpstreamResponse {
        let lease = connection.leases.wrappingAdd(1, ordering: .relaxed).newValue
        do {
            let (status, headers) = try await connection.send(bytes, head: head, lease: lease, timeout: timeout)
            return UpstreamResponse(status: status, headers: headers, body: UpstreamConnectionBody(connection: connection, lease: lease))
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw error
        }
    }

    /// The request's bytes: request line, `host`, the caller's headers, `content-length`, body.
    static func encode(_ request: UpstreamRequest, _ url: UpstreamURL) throws(UpstreamHTTPError) -> ByteBuffer {
        var size = 64 + url.target.utf8.count + url.origin.host.utf8.count + (request.body?.count ?? 0)
        for (name, value) in request.headers { size += name.utf8.count + value.utf8.count + 4 }
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        buffer.writeString(request.method.rawValue)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(url.target)
        buffer.writeString(" HTTP/1.1\r\nhost: ")
        buffer.writeString(url.origin.hostHeader)
        buffer.writeString("\r\n")
        for (name, value) in request.headers {
            guard Self.isToken(name), Self.isFieldValue(value) else {
                throw UpstreamHTTPError(.badHeader, "the header \(name.debugDescription) cannot be sent: a header name must be a token and a value must not hold line breaks or control characters", responseStarted: false)
            }
            buffer.writeString(name)
            buffer.writeString(": ")
            buffer.writeString(value)
            buffer.writeString("\r\n")
        }
        if let body = request.body {
            buffer.writeString("content-length: ")
            buffer.writeString(String(body.count))
            buffer.writeString("\r\n\r\n")
            buffer.writeBytes(body)
        } else {
            buffer.writeString("\r\n")
        }
        return buffer
    }

    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (0x21...0x7E).contains(byte) && !#"()<>@,;:\"/[]?={}"#.utf8.contains(byte)
        }
    }

    private static func isFieldValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }

    /// Heads the response decoder sees (it needs the method, to know whether a body follows).
    private static let postHead = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")
    private static let getHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")

    // MARK: The pool

    private func leaseIdle(_ origin: UpstreamURL.Origin, preferring eventLoop: (any EventLoop)?) throws(UpstreamHTTPError) -> UpstreamConnection? {
        let now = ContinuousClock.now
        var stale: [UpstreamConnection] = []
        defer {
            for connection in stale { connection.eventLoop.execute { connection.close(UpstreamHTTPError(.connectionClosed, "idle too long")) } }
        }
        return try pool.withLock { pool throws(UpstreamHTTPError) -> UpstreamConnection? in
            guard !pool.shutDown else { throw UpstreamHTTPError(.shutDown, "the gateway's upstream client was shut down", responseStarted: false) }
            guard var list = pool.idle[origin], !list.isEmpty else { return nil }
            defer { pool.idle[origin] = list }
            // Drop what is closed or idle too long; then take the newest on the caller's loop (none
            // on another), or the newest for a caller on no loop.
            list.removeAll { entry in
                let dead = !entry.connection.isActive || now - entry.since > idleTimeout
                if dead { stale.append(entry.connection) }
                return dead
            }
            guard !list.isEmpty else { return nil }
            guard let eventLoop else { return list.removeLast().connection }
            guard let index = list.lastIndex(where: { $0.connection.eventLoop === eventLoop }) else { return nil }
            return list.remove(at: index).connection
        }
    }

    private func release(_ connection: UpstreamConnection) {
        let kept = pool.withLock { pool in
            guard !pool.shutDown, pool.idle[connection.origin, default: []].count < maxIdlePerOrigin else { return false }
            pool.idle[connection.origin, default: []].append(Idle(connection: connection, since: .now))
            return true
        }
        if !kept { connection.close(UpstreamHTTPError(.shutDown, "not kept")) }
    }

    private func forget(_ connection: UpstreamConnection) {
        pool.withLock { pool in
            pool.idle[connection.origin]?.removeAll { $0.connection === connection }
        }
    }

    // MARK: Connecting

    private func connect(_ origin: UpstreamURL.Origin, on eventLoop: any EventLoop) async throws -> UpstreamConnection {
        let connection = UpstreamConnection(
            origin: origin, eventLoop: eventLoop, readTimeout: readTimeout,
            onReusable: { [weak self] connection in
                if let self {
                    self.release(connection)
                } else {
                    connection.close(UpstreamHTTPError(.shutDown, "the gateway's upstream client is gone"))
                }
            },
            onClosed: { [weak self] in self?.forget($0) }
        )
        let tls = try origin.secure ? tlsContext() : nil
        let serverName = origin.hostIsAddress ? nil : origin.host
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                do {
                    let handlers = channel.pipeline.syncOperations
                    if let tls { try handlers.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                    try handlers.addHandler(UpstreamRequestEncoder())
                    try handlers.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                    try handlers.addHandler(connection)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        do {
            _ = try await bootstrap.connect(host: origin.host, port: origin.port).get()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw Self.connectFailure(error, origin)
        }
        return connection
    }

    private static func connectFailure(_ error: any Error, _ origin: UpstreamURL.Origin) -> UpstreamHTTPError {
        if let error = error as? ChannelError, case .connectTimeout = error {
            return UpstreamHTTPError(.connectTimeout, "connecting to \(origin.hostHeader) timed out (connectTimeout)", responseStarted: false)
        }
        var reason = String(describing: error)
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first {
                reason = String(describing: first.error)
            } else if let resolution = error.dnsAAAAError ?? error.dnsAError {
                reason = "cannot resolve \(origin.host): \(resolution)"
            }
        }
        return UpstreamHTTPError(.connect, "cannot connect to \(origin.hostHeader): \(reason)", responseStarted: false)
    }

    /// The TLS context, made once from the configuration.
    private func tlsContext() throws(UpstreamHTTPError) -> NIOSSLContext {
        try tls.withLock { context throws(UpstreamHTTPError) -> NIOSSLContext in
            if let context { return context }
            do {
                let made = try NIOSSLContext(configuration: tlsConfiguration)
                context = made
                return made
            } catch {
                throw UpstreamHTTPError(.connect, "cannot set up TLS: \(error)", responseStarted: false)
            }
        }
    }
}
