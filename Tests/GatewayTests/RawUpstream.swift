import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A loopback TCP server that sees HTTP requests as bytes and answers as its script says, for the
/// upstream client's connection-level behaviour (reuse, closes, cuts, stalls) that a real HTTP
/// server hides.
///
/// ```swift
/// let server = try await RawUpstream { request in request.onConnection == 0 ? .answer(RawUpstream.ok("hi")) : .close }
/// // … http://127.0.0.1:\(server.port)/ …
/// #expect(server.connections == 1)
/// try await server.stop()
/// ```
final class RawUpstream: Sendable {
    /// One request as it arrived.
    struct Request: Sendable {
        /// The request's bytes, head and body.
        var text: String
        /// Which connection (0 the first accepted) and which request on it (0 the first).
        var connection: Int
        var onConnection: Int
    }

    /// What the server does with a request.
    enum Action: Sendable {
        /// Writes these bytes and keeps the connection open.
        case answer(String)
        /// Writes these bytes, then closes the connection.
        case answerAndClose(String)
        /// Closes the connection without writing anything.
        case close
        /// Writes these bytes and then nothing more, keeping the connection open.
        case stall(String)
    }

    private struct State {
        var requests: [Request] = []
        var connections = 0
        var closed = 0
    }

    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    private let shared: Shared
    private let channel: any Channel
    /// The port it listens on (loopback).
    let port: Int

    /// Starts listening on a free loopback port.
    init(_ script: @escaping @Sendable (Request) -> Action) async throws {
        let shared = Shared()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let number = shared.state.withLock { state in
                    defer { state.connections += 1 }
                    return state.connections
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(connection: number, shared: shared, script: script))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.shared = shared
        channel = server
        port = server.localAddress?.port ?? 0
    }

    /// The requests received so far.
    var requests: [Request] { shared.state.withLock { $0.requests } }
    /// Connections accepted so far.
    var connections: Int { shared.state.withLock { $0.connections } }
    /// Connections that have closed so far.
    var closedConnections: Int { shared.state.withLock { $0.closed } }

    /// Stops listening.
    func stop() async throws {
        try await channel.close()
    }

    /// A 200 JSON answer with a `content-length`.
    static func ok(_ body: String, headers: String = "") -> String {
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n\(headers)\r\n\(body)"
    }

    /// The head of a chunked event stream, and one chunk.
    static func streamStart(_ first: String) -> String {
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" + chunk(first)
    }

    /// One chunk of a chunked body.
    static func chunk(_ text: String) -> String {
        String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n"
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let connection: Int
        let shared: Shared
        let script: @Sendable (Request) -> Action
        var received = ""
        var count = 0

        init(connection: Int, shared: Shared, script: @escaping @Sendable (Request) -> Action) {
            self.connection = connection
            self.shared = shared
            self.script = script
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += String(buffer: unwrapInboundIn(data))
            while let request = takeRequest() {
                let entry = Request(text: request, connection: connection, onConnection: count)
                count += 1
                shared.state.withLock { $0.requests.append(entry) }
                switch script(entry) {
                case .answer(let text), .stall(let text):
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
                case .answerAndClose(let text):
                    let channel = context.channel
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text))).whenComplete { _ in channel.close(promise: nil) }
                case .close:
                    context.close(promise: nil)
                    return
                }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            shared.state.withLock { $0.closed += 1 }
        }

        /// A whole request (head and its `content-length` of body) off the front of what arrived.
        private func takeRequest() -> String? {
            guard let end = received.range(of: "\r\n\r\n") else { return nil }
            let head = received[..<end.lowerBound].lowercased()
            var length = 0
            if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
            }
            let bodyStart = end.upperBound
            let utf8 = received.utf8
            guard utf8.distance(from: bodyStart, to: utf8.endIndex) >= length else { return nil }
            let requestEnd = utf8.index(bodyStart, offsetBy: length)
            let request = String(received[..<requestEnd])
            received = String(received[requestEnd...])
            return request
        }
    }
}
