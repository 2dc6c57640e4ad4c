import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle
import ServingEngine
import Synchronization

/// A fake OpenAI-compatible server on a loopback port whose behaviour the drill switches while it
/// runs: it answers chat completions (streamed token by token, or as one JSON object), embeddings
/// and `GET /v1/models`, or misbehaves as told (statuses, slowness, cut streams, garbage, stalls),
/// and can be stopped and started again on the same port to refuse connections.
///
/// ```swift
/// let upstream = ScriptedUpstream(name: "primary")
/// let port = try await upstream.start()
/// upstream.behavior = .status(429, retryAfter: "1")
/// await upstream.stop()                 // connections are now refused
/// _ = try await upstream.start()        // the same port again
/// ```
public final class ScriptedUpstream: Sendable {
    /// What the server does with each request.
    public enum Behavior: Sendable, Hashable {
        /// Answers normally.
        case answer
        /// Answers every call with this status (and `Retry-After`, if given) and an error body.
        case status(Int, retryAfter: String?)
        /// Answers `fraction` of calls (seeded) with `status`, the others normally.
        case failSome(fraction: Double, status: Int)
        /// Waits this long before answering.
        case slow(Duration)
        /// Sends the stream's head and a comment, then breaks the connection before any token.
        case cutBeforeFirstToken
        /// Sends this many tokens, then breaks the connection.
        case cutAfterTokens(Int)
        /// Answers 200 with a body that is not the JSON or SSE promised, or is truncated.
        case garbage
        /// Never answers (until the behaviour changes or the server stops).
        case stall
    }

    /// The name it answers as (the provider's name in the drill).
    public let name: String
    /// The tokens of a normal answer.
    static let tokens = ["The ", "drill ", "answer ", "arrives ", "in ", "several ", "tokens."]

    private struct State {
        var behavior: Behavior = .answer
        var port: Int?
        var task: Task<Void, any Error>?
        var group: ServiceGroup?
        /// Set while stopped: connections that outlive the listener (pooled keep-alive ones) are
        /// broken on their next request, as a crashed server's would be.
        var stopped = false
        var random: SeededRandom
        var calls = 0
        var garbageTurn = 0
    }
    private let state: Mutex<State>
    private let embedder = HashingEmbedder()

    /// Creates a stopped server.
    public init(name: String, seed: UInt64 = 1) {
        self.name = name
        state = Mutex(State(random: SeededRandom(seed: seed)))
    }

    /// The behaviour now; changing it affects the next requests (and ends stalls).
    public var behavior: Behavior {
        get { state.withLock { $0.behavior } }
        set { state.withLock { $0.behavior = newValue } }
    }

    /// The port, once started.
    public var port: Int? { state.withLock { $0.port } }

    /// `http://127.0.0.1:PORT/v1`, once started.
    public var baseURL: String { "http://127.0.0.1:\(port ?? 0)/v1" }

    /// Whether it is listening (or starting to).
    public var isRunning: Bool { state.withLock { $0.task != nil } }

    /// Chat and embedding calls received so far.
    public var calls: Int { state.withLock { $0.calls } }

    /// Starts listening (on the port it had before, if it ran already) and returns the port.
    public func start() async throws -> Int {
        let previous = state.withLock { $0.port }
        let (ports, continuation) = AsyncStream.makeStream(of: Result<Int, any Error>.self)
        let application = makeApplication(port: previous ?? 0) { continuation.yield(.success($0)) }
        var logger = Logger(label: "drill-upstream")
        logger.logLevel = .critical
        // Stopped by graceful shutdown, not cancellation: cancelling a Hummingbird server while it
        // accepts connections can trip NIO's "Deinited NIOAsyncWriter without calling finish()".
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let task = Task {
            do {
                try await group.run()
            } catch {
                continuation.yield(.failure(error))
                throw error
            }
            continuation.finish()
        }
        state.withLock {
            $0.task = task
            $0.group = group
            $0.stopped = false
        }
        for await result in ports {
            let port = try result.get()
            state.withLock { $0.port = port }
            return port
        }
        throw ScriptedUpstreamError("the scripted upstream \(name) stopped before it listened")
    }

    /// Stops listening and closes its connections; new connections are refused until ``start()``.
    public func stop() async {
        let (task, group) = state.withLock { state in
            defer {
                state.task = nil
                state.group = nil
                state.stopped = true
            }
            return (state.task, state.group)
        }
        await group?.triggerGracefulShutdown()
        _ = await task?.result
    }

    private func makeApplication(port: Int, onListening: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        let router = Router(context: ScriptedUpstreamContext.self)
        router.post("/v1/chat/completions") { request, context -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let stream = body.readableBytesView.firstRange(of: Array(#""stream":true"#.utf8)) != nil
            return await self.chat(stream: stream, channel: context.channel)
        }
        router.post("/v1/embeddings") { request, context -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            return await self.embeddings(Data(buffer: body), channel: context.channel)
        }
        router.get("/v1/models") { _, _ -> Response in
            Self.json(#"{"object":"list","data":[{"id":"drill","object":"model"}]}"#)
        }
        var logger = Logger(label: "drill-upstream")
        logger.logLevel = .critical
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { onListening($0.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// Decides what this call does: the behaviour, with `failSome` and `garbage` resolved, or a
    /// broken connection while stopped.
    private func nextAction() -> (Behavior, garbageTurn: Int) {
        state.withLock { state in
            if state.stopped { return (.cutBeforeFirstToken, 0) }
            state.calls += 1
            switch state.behavior {
            case .failSome(let fraction, let status):
                return (state.random.unit() < fraction ? .status(status, retryAfter: nil) : .answer, 0)
            case .garbage:
                state.garbageTurn += 1
                return (.garbage, state.garbageTurn)
            default:
                return (state.behavior, 0)
            }
        }
    }

    private func chat(stream: Bool, channel: any Channel) async -> Response {
        let (action, turn) = nextAction()
        switch action {
        case .answer:
            return answer(stream: stream)
        case .status(let code, let retryAfter):
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            if let retryAfter { headers[.retryAfter] = retryAfter }
            return Response(status: .init(code: code), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":{"message":"scripted failure","type":"server_error"}}"#)))
        case .failSome:
            return answer(stream: stream)
        case .slow(let delay):
            try? await Task.sleep(for: delay)
            return answer(stream: stream)
        case .cutBeforeFirstToken:
            return broken(after: 0, channel: channel)
        case .cutAfterTokens(let count):
            return broken(after: count, channel: channel)
        case .garbage:
            return Self.garbage(turn: turn)
        case .stall:
            await stallWhileStalling()
            return answer(stream: stream)
        }
    }

    private func embeddings(_ body: Data, channel: any Channel) async -> Response {
        let (action, _) = nextAction()
        switch action {
        case .stall:
            await stallWhileStalling()
        case .status(let code, _):
            return Response(status: .init(code: code), body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":{"message":"scripted failure"}}"#)))
        case .slow(let delay):
            try? await Task.sleep(for: delay)
        case .garbage:
            return Self.json(#"{"data":[{"embedding":[0.1,0.2"#)
        case .cutBeforeFirstToken, .cutAfterTokens:
            return broken(after: 0, channel: channel)
        default:
            break
        }
        let input = ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["input"] as? String ?? ""
        let vector = (try? await embedder.embed(input)) ?? []
        let numbers = vector.map { String($0) }.joined(separator: ",")
        return Self.json(#"{"object":"list","model":"drill-embed","data":[{"object":"embedding","index":0,"embedding":[\#(numbers)]}]}"#)
    }

    /// Holds a request while the behaviour is `.stall` and the server runs, polling so that a
    /// change of behaviour or a stop releases it.
    private func stallWhileStalling() async {
        while state.withLock({ $0.behavior == .stall && !$0.stopped }), !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private func answer(stream: Bool) -> Response {
        guard stream else {
            let text = Self.tokens.joined()
            return Self.json(#"{"id":"chatcmpl-\#(name)","object":"chat.completion","created":0,"model":"\#(name)","choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":7,"total_tokens":16}}"#)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: #"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"# + "\n\n"))
            for token in Self.tokens {
                try await writer.write(Self.tokenEvent(token))
            }
            try await writer.write(ByteBuffer(string: #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n"))
            try await writer.write(ByteBuffer(string: #"data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":7,"total_tokens":16}}"# + "\n\ndata: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// A stream that breaks the connection after `count` tokens (a comment first, so the head
    /// goes out): the channel is closed under the response, as a crashing server's would be.
    private func broken(after count: Int, channel: any Channel) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: ": scripted stream\n\n"))
            for token in Self.tokens.prefix(count) {
                try await writer.write(Self.tokenEvent(token))
            }
            try? await channel.close()
            throw ScriptedUpstreamError("scripted cut after \(count) tokens")
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Bodies that are not what they claim: non-JSON SSE, truncated JSON, a non-object, bytes.
    static func garbage(turn: Int) -> Response {
        switch turn % 4 {
        case 0:
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "data: {this is not json\n\ndata: [DONE]\n\n")))
        case 1:
            return json(#"{"id":"chatcmpl-x","choices":[{"index":0,"message":{"role":"assistant","content":"trunc"#)
        case 2:
            return json(#"["not", "an", "object"]"#)
        default:
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(bytes: [0xff, 0xfe, 0x00, 0x13, 0x37])))
        }
    }

    static func tokenEvent(_ token: String) -> ByteBuffer {
        ByteBuffer(string: #"data: {"choices":[{"index":0,"delta":{"content":"\#(token)"}}]}"# + "\n\n")
    }

    static func json(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The request context of the scripted upstream: the channel, so that a scripted cut can close it.
struct ScriptedUpstreamContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// A scripted upstream could not start (its port was taken, say).
public struct ScriptedUpstreamError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
