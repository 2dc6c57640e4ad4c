import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle
import ServingEngine
import Synchronization

/// A fake model server on a loopback port, scripted by whoever runs it: the tests queue one-shot
/// ``Step``s per provider, the drill switches a standing ``Behavior`` while its load runs, and the
/// benchmarks let it answer at once from bytes prepared when it was made.
///
/// Each provider lives under `/p/<name>/v1/…`, and `/v1/…` is the provider named ``name``. Every
/// provider answers OpenAI's `POST chat/completions` and `POST embeddings`, Anthropic's
/// `POST messages` (refusing what Anthropic refuses, ``AnthropicRules``) and `GET models`. A call
/// takes the provider's next queued step; with none queued, the provider's behaviour decides, and
/// ``Behavior/answer`` sends the server's ``Answer``. It can be stopped and started again on the
/// same port, to refuse connections as a crashed server would.
///
/// ```swift
/// let upstream = ScriptedUpstream(name: "primary", answer: .drill)
/// let port = try await upstream.start()
/// upstream.script("primary", [.status(503), .answer(["late ", "but fine"])])
/// upstream.behavior = .status(429, retryAfter: "1")   // once the script is used up
/// await upstream.stop()                                // connections are now refused
/// _ = try await upstream.start()                       // the same port again
/// ```
package final class ScriptedUpstream: Sendable {
    /// One call's script: what the next request to a provider gets.
    package enum Step: Sendable {
        /// A streamed answer in these pieces (usage: 9 prompt tokens, one per piece).
        case answer([String], finish: String = "stop")
        /// A status with a body and optional `Retry-After`.
        case status(Int, body: String = #"{"error":{"message":"upstream says no"}}"#, retryAfter: String? = nil)
        /// Waits, then streams these pieces.
        case slow(Duration, [String])
        /// Sends these pieces, then ends the body cleanly without a finish reason.
        case cut([String])
        /// Sends these pieces, then breaks the connection.
        case drop([String])
        /// Sends a stream event that is not JSON.
        case garbled
        /// Answers with a plain `chat.completion` JSON body although a stream was asked for.
        case plainJSON(String)
        /// Streams valid chunks without end, `bytes` in all, in pieces of about 4 KiB.
        case endless(bytes: Int)
        /// Answers with a `chat.completion` JSON body of about `bytes` bytes.
        case hugeJSON(bytes: Int)
        /// Sends these bytes as the event stream, then ends the body.
        case raw([UInt8])
        /// Sends the first piece at once and then one more every `every`, then finishes.
        case trickle([String], every: Duration)
        /// Answers 200 with this JSON body.
        case json(String)
        /// Answers 200 with this text as the event stream.
        case events(String)
    }

    /// What a provider does while no step is queued for it.
    package enum Behavior: Sendable, Hashable {
        /// Sends the server's ``Answer`` (as a stream when asked for one, or always with
        /// ``Answer/alwaysStreams``).
        case answer
        /// Answers every call with this status (and `Retry-After`, if given) and an error body.
        case status(Int, retryAfter: String?)
        /// Answers `fraction` of calls (seeded) with `status`, the others normally.
        case failSome(fraction: Double, status: Int)
        /// Waits this long before answering.
        case slow(Duration)
        /// Sends the stream's head and a comment, then breaks the connection before any token.
        case cutBeforeFirstToken
        /// Sends this many pieces, then breaks the connection.
        case cutAfterTokens(Int)
        /// Answers 200 with a body that is not the JSON or SSE promised, or is truncated.
        case garbage
        /// Never answers (until the behaviour changes or the server stops).
        case stall
    }

    /// The answer ``Behavior/answer`` sends, prepared once.
    package struct Answer: Sendable, Hashable {
        /// The text, in the pieces a stream sends.
        package var pieces: [String]
        /// The usage reported.
        package var promptTokens: Int
        package var completionTokens: Int
        /// Whether to stream whatever the request asked for (Switchboard asks for a stream
        /// unless `stream_upstream` says otherwise, and the tests check what it makes of one).
        package var alwaysStreams = false
        /// The pause before each streamed piece after the first.
        package var interval: Duration = .zero
        /// The vector `embeddings` answers with; nil embeds the input with ``HashingEmbedder``.
        package var embedding: [Float]?

        package init(pieces: [String], promptTokens: Int, completionTokens: Int, alwaysStreams: Bool = false, interval: Duration = .zero, embedding: [Float]? = nil) {
            self.pieces = pieces
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.alwaysStreams = alwaysStreams
            self.interval = interval
            self.embedding = embedding
        }

        /// The tests' answer once a provider's script is used up: the one piece `fallback`, always
        /// streamed, and a fixed three-number embedding.
        package static let fallback = Answer(pieces: ["fallback"], promptTokens: 9, completionTokens: 1, alwaysStreams: true, embedding: [0.25, -0.5, 0.125])
        /// The drill's answer, in several tokens so that a cut can fall between them.
        package static let drill = Answer(pieces: ["The ", "drill ", "answer ", "arrives ", "in ", "several ", "tokens."], promptTokens: 9, completionTokens: 7)
        /// The benchmarks' answer, `interval` between streamed pieces.
        package static func instant(interval: Duration = .zero) -> Answer {
            Answer(pieces: ["An instant ", "answer from ", "the local ", "upstream."], promptTokens: 12, completionTokens: 8, interval: interval)
        }
    }

    /// A request as it arrived.
    package struct Received: Sendable {
        package var provider: String
        package var path: String
        package var authorization: String?
        package var apiKeyHeader: String?
        package var body: String

        /// The request body as a JSON object.
        package var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    /// The provider `/v1/…` is, and the name answers carry.
    package let name: String
    /// The standing answer.
    package let answer: Answer
    /// Whether each request is kept for ``calls(_:)`` (off for benchmarks of millions).
    package let recordsCalls: Bool
    private let host: String
    private let prepared: PreparedAnswer
    private let embedder = HashingEmbedder()

    private struct State {
        var scripts: [String: [Step]] = [:]
        var behaviors: [String: Behavior] = [:]
        var unhealthy: Set<String> = []
        var received: [Received] = []
        var calls = 0
        var port: Int?
        var task: Task<Void, any Error>?
        var group: ServiceGroup?
        /// Set while stopped: connections that outlive the listener (pooled keep-alive ones) are
        /// broken on their next request, as a crashed server's would be.
        var stopped = false
        var random: SeededRandom
        var garbageTurn = 0
    }
    private let state: Mutex<State>

    /// Creates a stopped server.
    /// - Parameters:
    ///   - port: where ``start()`` listens first; 0 picks a free port.
    ///   - seed: seeds ``Behavior/failSome``.
    package init(name: String = "upstream", answer: Answer = .fallback, host: String = "127.0.0.1", port: Int = 0, recordsCalls: Bool = true, seed: UInt64 = 1) {
        self.name = name
        self.answer = answer
        self.host = host
        self.recordsCalls = recordsCalls
        prepared = PreparedAnswer(answer, model: name)
        state = Mutex(State(port: port == 0 ? nil : port, random: SeededRandom(seed: seed)))
    }

    // MARK: Scripting

    /// Queues steps for `provider`; once they are used up its behaviour decides again.
    package func script(_ provider: String, _ steps: [Step]) {
        state.withLock { $0.scripts[provider, default: []].append(contentsOf: steps) }
    }

    /// Drops the steps still queued for `provider`.
    package func reset(_ provider: String) {
        _ = state.withLock { $0.scripts.removeValue(forKey: provider) }
    }

    /// The standing behaviour of the provider ``name``; changing it affects the next requests
    /// (and ends stalls).
    package var behavior: Behavior {
        get { behavior(of: name) }
        set { setBehavior(newValue, for: name) }
    }

    /// The standing behaviour of `provider`.
    package func behavior(of provider: String) -> Behavior {
        state.withLock { $0.behaviors[provider] ?? .answer }
    }

    /// Sets the standing behaviour of `provider`.
    package func setBehavior(_ behavior: Behavior, for provider: String) {
        state.withLock { $0.behaviors[provider] = behavior }
    }

    /// Makes `GET …/models` of `provider` answer 503 (or 200 again).
    package func setHealthy(_ provider: String, _ healthy: Bool) {
        state.withLock { if healthy { $0.unhealthy.remove(provider) } else { $0.unhealthy.insert(provider) } }
    }

    /// The requests `provider` received (nothing unless ``recordsCalls``).
    package func calls(_ provider: String) -> [Received] {
        state.withLock { $0.received.filter { $0.provider == provider } }
    }

    /// Chat, message and embedding calls received so far, by every provider.
    package var calls: Int { state.withLock { $0.calls } }

    // MARK: Running

    /// The port, once started.
    package var port: Int? { state.withLock { $0.port } }

    /// `http://HOST:PORT/v1`, the provider ``name``, once started.
    package var baseURL: String { "http://\(host):\(port ?? 0)/v1" }

    /// `http://HOST:PORT/p/<provider>/v1`, once started.
    package func baseURL(_ provider: String) -> String { "http://\(host):\(port ?? 0)/p/\(provider)/v1" }

    /// Whether it is listening (or starting to).
    package var isRunning: Bool { state.withLock { $0.task != nil } }

    /// Starts listening (on the port it had before, if it ran already) and returns the port.
    package func start() async throws -> Int {
        let (ports, continuation) = AsyncStream.makeStream(of: Result<Int, any Error>.self)
        let application = makeApplication(port: port ?? 0) { continuation.yield(.success($0)) }
        // Stopped by graceful shutdown, not cancellation: cancelling a Hummingbird server while it
        // accepts connections can trip NIO's "Deinited NIOAsyncWriter without calling finish()".
        let group = ServiceGroup(configuration: .init(services: [application], logger: Self.quietLogger))
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
    package func stop() async {
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

    /// Serves until the surrounding task is cancelled or shut down gracefully (as a `Service`
    /// through ``Serving``); `onListening` gets the port.
    package func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        let application = makeApplication(port: port ?? 0) { port in
            self.state.withLock { $0.port = port }
            onListening(port)
        }
        try await application.run()
    }

    /// The server as a `Service`, so that a `ServiceGroup` can stop it gracefully.
    package struct Serving: Service {
        package let upstream: ScriptedUpstream
        package let onListening: @Sendable (Int) -> Void

        package init(upstream: ScriptedUpstream, onListening: @escaping @Sendable (Int) -> Void) {
            self.upstream = upstream
            self.onListening = onListening
        }

        package func run() async throws {
            try await upstream.run(onListening: onListening)
        }
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "scripted-upstream")
        logger.logLevel = .critical
        return logger
    }()

    private func makeApplication(port: Int, onListening: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        let router = Router(context: ScriptedUpstreamContext.self)
        for prefix in ["/v1", "/p/:name/v1"] {
            router.post("\(prefix)/chat/completions") { request, context in
                try await self.handle(request, context: context, api: .chat)
            }
            router.post("\(prefix)/messages") { request, context in
                try await self.handle(request, context: context, api: .messages)
            }
            router.post("\(prefix)/embeddings") { request, context in
                try await self.handle(request, context: context, api: .embeddings)
            }
            router.get("\(prefix)/models") { _, context -> Response in
                let provider = context.parameters.get("name") ?? self.name
                let sick = self.state.withLock { $0.unhealthy.contains(provider) }
                guard !sick else { return Self.json(#"{"error":{"message":"scripted: unhealthy"}}"#, status: .serviceUnavailable) }
                return Self.json(#"{"object":"list","data":[{"id":"\#(provider)","object":"model"}]}"#)
            }
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { onListening($0.localAddress?.port ?? 0) },
            logger: Self.quietLogger
        )
    }

    // MARK: Answering

    enum API { case chat, messages, embeddings }

    /// What one call does: a queued step, or the behaviour with `failSome` and `garbage`
    /// resolved, or a broken connection while stopped.
    private enum Action {
        case step(Step)
        case behavior(Behavior, garbageTurn: Int)
    }

    private func nextAction(_ provider: String) -> Action {
        state.withLock { state in
            if state.stopped { return .behavior(.cutBeforeFirstToken, garbageTurn: 0) }
            state.calls += 1
            if var steps = state.scripts[provider], !steps.isEmpty {
                let step = steps.removeFirst()
                state.scripts[provider] = steps
                return .step(step)
            }
            switch state.behaviors[provider] ?? .answer {
            case .failSome(let fraction, let status):
                return .behavior(state.random.unit() < fraction ? .status(status, retryAfter: nil) : .answer, garbageTurn: 0)
            case .garbage:
                state.garbageTurn += 1
                return .behavior(.garbage, garbageTurn: state.garbageTurn)
            case let behavior:
                return .behavior(behavior, garbageTurn: 0)
            }
        }
    }

    private func handle(_ request: Request, context: ScriptedUpstreamContext, api: API) async throws -> Response {
        var request = request
        let provider = context.parameters.get("name") ?? name
        let body = try await request.collectBody(upTo: 1 << 20)
        if recordsCalls || api == .messages {
            let received = Received(provider: provider, path: request.uri.path, authorization: request.headers[.authorization], apiKeyHeader: request.headers[.init("x-api-key")!], body: String(buffer: body))
            if recordsCalls { state.withLock { $0.received.append(received) } }
            if api == .messages, let problem = AnthropicRules.problem(received.json) {
                return Self.json(#"{"type":"error","error":{"type":"invalid_request_error","message":"\#(problem)"}}"#, status: .badRequest)
            }
        }
        let streams = answer.alwaysStreams || body.readableBytesView.firstRange(of: Array(#""stream":true"#.utf8)) != nil
        switch nextAction(provider) {
        case .step(let step):
            return respond(step, api: api)
        case .behavior(let behavior, let turn):
            return await respond(behavior, garbageTurn: turn, api: api, streams: streams, body: body, provider: provider, channel: context.channel)
        }
    }

    private func respond(_ behavior: Behavior, garbageTurn: Int, api: API, streams: Bool, body: ByteBuffer, provider: String, channel: any Channel) async -> Response {
        switch behavior {
        case .answer, .failSome:
            break
        case .status(let code, let retryAfter):
            var response = Self.json(#"{"error":{"message":"scripted failure","type":"server_error"}}"#, status: .init(code: code))
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .slow(let delay):
            try? await Task.sleep(for: delay)
        case .cutBeforeFirstToken:
            return broken(after: 0, channel: channel)
        case .cutAfterTokens(let count):
            return api == .embeddings ? broken(after: 0, channel: channel) : broken(after: count, channel: channel)
        case .garbage:
            return api == .embeddings ? Self.json(#"{"data":[{"embedding":[0.1,0.2"#) : Self.garbage(turn: garbageTurn)
        case .stall:
            while state.withLock({ ($0.behaviors[provider] ?? .answer) == .stall && !$0.stopped }), !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        switch api {
        case .embeddings:
            return await embeddingAnswer(body)
        case .chat where !streams:
            return Response(status: .ok, headers: Self.jsonHeaders, body: ResponseBody(byteBuffer: prepared.completion))
        case .messages where !streams:
            return Response(status: .ok, headers: Self.jsonHeaders, body: ResponseBody(byteBuffer: prepared.message))
        case .chat, .messages:
            let pieces = api == .chat ? prepared.chatStream : prepared.messageStream
            let interval = answer.interval
            return Response(status: .ok, headers: Self.streamHeaders, body: ResponseBody { writer in
                for (index, piece) in pieces.enumerated() {
                    // The role and the first piece at once; later ones `interval` apart.
                    if index > 1, interval > .zero { try await Task.sleep(for: interval) }
                    try await writer.write(piece)
                }
                try await writer.finish(nil)
            })
        }
    }

    private func embeddingAnswer(_ body: ByteBuffer) async -> Response {
        let vector: [Float]
        if let fixed = answer.embedding {
            vector = fixed
        } else {
            let input = ((try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any])?["input"] as? String ?? ""
            vector = (try? await embedder.embed(input)) ?? []
        }
        let numbers = vector.map { String($0) }.joined(separator: ",")
        return Self.json(#"{"object":"list","model":"\#(name)-embed","data":[{"object":"embedding","index":0,"embedding":[\#(numbers)]}],"usage":{"prompt_tokens":3,"total_tokens":3}}"#)
    }

    private func respond(_ step: Step, api: API) -> Response {
        switch step {
        case .json(let body):
            return Self.json(body)
        case .status(let code, let body, let retryAfter):
            var response = Self.json(body, status: .init(code: code))
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .plainJSON(let text):
            return Self.json(#"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"#)
        case .hugeJSON(let bytes):
            return Self.json(#"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"\#(String(repeating: "x", count: bytes))"},"finish_reason":"stop"}]}"#)
        default:
            if api == .embeddings, case .answer = step { return Self.json(Self.fixedEmbedding) }
            return Response(status: .ok, headers: Self.streamHeaders, body: ResponseBody { writer in
                try await ScriptedStream.write(step, anthropic: api == .messages, to: &writer)
            })
        }
    }

    static let fixedEmbedding = #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,-0.5,0.125]}],"model":"embed-upstream","usage":{"prompt_tokens":3,"total_tokens":3}}"#

    /// A stream that breaks the connection after `count` pieces (a comment first, so the head
    /// goes out): the channel is closed under the response, as a crashing server's would be.
    private func broken(after count: Int, channel: any Channel) -> Response {
        let pieces = answer.pieces.prefix(count).map(ScriptedStream.openAIPiece)
        return Response(status: .ok, headers: Self.streamHeaders, body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: ": scripted stream\n\n"))
            for piece in pieces { try await writer.write(ByteBuffer(string: piece)) }
            try? await channel.close()
            throw ScriptedUpstreamError("scripted cut after \(count) tokens")
        })
    }

    /// Bodies that are not what they claim: non-JSON SSE, truncated JSON, a non-object, bytes.
    static func garbage(turn: Int) -> Response {
        switch turn % 4 {
        case 0:
            return Response(status: .ok, headers: streamHeaders, body: ResponseBody(byteBuffer: ByteBuffer(string: "data: {this is not json\n\ndata: [DONE]\n\n")))
        case 1:
            return json(#"{"id":"chatcmpl-x","choices":[{"index":0,"message":{"role":"assistant","content":"trunc"#)
        case 2:
            return json(#"["not", "an", "object"]"#)
        default:
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(bytes: [0xff, 0xfe, 0x00, 0x13, 0x37])))
        }
    }

    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]
    static let streamHeaders: HTTPFields = [.contentType: "text/event-stream"]

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: jsonHeaders, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
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
package struct ScriptedUpstreamError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    package var message: String

    init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
