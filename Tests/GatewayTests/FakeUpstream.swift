import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A model server the test controls, on an ephemeral loopback port: each fake provider lives under
/// `/p/<name>/v1` and follows its script (answer, fail with a status, stall, break mid-stream…),
/// speaking the OpenAI chat API (`/chat/completions`) and Anthropic's (`/messages`).
final class FakeUpstream: Sendable {
    enum Step: Sendable {
        /// A streamed answer in these chunks, with usage 9/len(chunks).
        case answer([String], finish: String = "stop")
        /// A status with a body and optional `Retry-After`.
        case status(Int, body: String = #"{"error":{"message":"upstream says no"}}"#, retryAfter: String? = nil)
        /// Waits, then answers.
        case slow(Duration, [String])
        /// Sends these chunks, then ends the body cleanly without a finish reason.
        case cut([String])
        /// Sends these chunks, then breaks the connection.
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
        /// Sends the first chunk at once and then one more every `every`, then finishes.
        case trickle([String], every: Duration)
        /// Answers 200 with this JSON body.
        case json(String)
        /// Answers 200 with this text as the event stream.
        case events(String)
    }

    struct Received: Sendable {
        var provider: String
        var path: String
        var authorization: String?
        var apiKeyHeader: String?
        var body: String

        /// The request body as a JSON object.
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    private let scripts = Mutex<[String: [Step]]>([:])
    private let received = Mutex<[Received]>([])
    private let portState = Mutex<Int?>(nil)
    private let unhealthy = Mutex<Set<String>>([])

    /// Makes `GET /p/<provider>/v1/models` answer 503 (or 200 again).
    func setHealthy(_ provider: String, _ healthy: Bool) {
        unhealthy.withLock { if healthy { $0.remove(provider) } else { $0.insert(provider) } }
    }

    /// Queues steps for `provider`; once they are used up it answers `["fallback"]`.
    func script(_ provider: String, _ steps: [Step]) {
        scripts.withLock { $0[provider, default: []].append(contentsOf: steps) }
    }

    /// Drops the steps still queued for `provider`.
    func reset(_ provider: String) {
        _ = scripts.withLock { $0.removeValue(forKey: provider) }
    }

    func calls(_ provider: String) -> [Received] {
        received.withLock { $0.filter { $0.provider == provider } }
    }

    var port: Int { portState.withLock { $0 } ?? 0 }

    func baseURL(_ provider: String) -> String { "http://127.0.0.1:\(port)/p/\(provider)/v1" }

    private func next(_ provider: String) -> Step {
        scripts.withLock { scripts in
            guard var steps = scripts[provider], !steps.isEmpty else { return .answer(["fallback"]) }
            let step = steps.removeFirst()
            scripts[provider] = steps
            return step
        }
    }

    /// Runs the server until the task is cancelled; `onListening` gets the port.
    func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        let router = Router()
        router.post("/p/:name/v1/chat/completions") { request, context in
            try await self.handle(request, context: context, anthropic: false)
        }
        router.get("/p/:name/v1/models") { _, context -> Response in
            let name = context.parameters.get("name") ?? "?"
            let sick = self.unhealthy.withLock { $0.contains(name) }
            return Response(status: sick ? .serviceUnavailable : .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"object":"list","data":[]}"#)))
        }
        router.post("/p/:name/v1/messages") { request, context in
            try await self.handle(request, context: context, anthropic: true)
        }
        router.post("/p/:name/v1/embeddings") { request, context in
            try await self.handle(request, context: context, anthropic: false, embeddings: true)
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                self.portState.withLock { $0 = port }
                onListening(port)
            },
            logger: Self.quietLogger
        )
        try await app.run()
    }

    /// The fake as a `Service`, so that a `ServiceGroup` can stop it gracefully.
    struct Serving: Service {
        let upstream: FakeUpstream
        let onListening: @Sendable (Int) -> Void

        func run() async throws {
            try await upstream.run(onListening: onListening)
        }
    }

    private static let quietLogger: Logger = {
        var logger = Logger(label: "fake-upstream")
        logger.logLevel = .critical
        return logger
    }()

    private func handle(_ request: Request, context: BasicRequestContext, anthropic: Bool, embeddings: Bool = false) async throws -> Response {
        var request = request
        let name = context.parameters.get("name") ?? "?"
        let buffer = try await request.collectBody(upTo: 1 << 20)
        let received = Received(provider: name, path: request.uri.path, authorization: request.headers[.authorization], apiKeyHeader: request.headers[HTTPField.Name("x-api-key")!], body: String(buffer: buffer))
        self.received.withLock { $0.append(received) }
        if anthropic, let problem = AnthropicRules.problem(received.json) {
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let body = #"{"type":"error","error":{"type":"invalid_request_error","message":"\#(problem)"}}"#
            return Response(status: .badRequest, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let step = embeddings && scripts.withLock({ $0[name]?.isEmpty ?? true }) ? .json(Self.embeddingAnswer) : next(name)
        switch step {
        case .json(let body):
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        case .status(let code, let body, let retryAfter):
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            if let retryAfter { headers[.retryAfter] = retryAfter }
            return Response(status: .init(code: code), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        case .plainJSON(let text):
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let body = #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"#
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        case .hugeJSON(let bytes):
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let body = #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"\#(String(repeating: "x", count: bytes))"},"finish_reason":"stop"}]}"#
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        default:
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await Self.write(step, anthropic: anthropic, to: &writer)
            })
        }
    }

    private static func write(_ step: Step, anthropic: Bool, to writer: inout any ResponseBodyWriter) async throws {
        func send(_ text: String) async throws { try await writer.write(ByteBuffer(string: text)) }
        func chunks(_ parts: [String], finish: String?) async throws {
            if anthropic {
                try await send("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n")
                try await send(": keep-alive comment\n\n")
                for part in parts {
                    try await send("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\(json(part))}}\n\n")
                }
                if let finish {
                    try await send("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"\(finish)\"},\"usage\":{\"output_tokens\":\(parts.count)}}\n\n")
                    try await send("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
                }
            } else {
                try await send("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n")
                for part in parts {
                    // CRLF line endings on purpose: the parser must take both.
                    try await send("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\(json(part))},\"finish_reason\":null}]}\r\n\r\n")
                }
                if let finish {
                    try await send("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"\(finish)\"}]}\n\n")
                    try await send("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":\(parts.count),\"total_tokens\":\(9 + parts.count)}}\n\n")
                    try await send("data: [DONE]\n\n")
                }
            }
        }
        switch step {
        case .answer(let parts, let finish):
            try await chunks(parts, finish: finish)
        case .slow(let delay, let parts):
            try await Task.sleep(for: delay)
            try await chunks(parts, finish: anthropic ? "end_turn" : "stop")
        case .cut(let parts):
            try await chunks(parts, finish: nil)
        case .drop(let parts):
            try await chunks(parts, finish: nil)
            // Let the chunks reach the gateway before the connection goes.
            try await Task.sleep(for: .milliseconds(150))
            throw CancellationError()
        case .garbled:
            try await send("data: {\"choices\": [oops\n\n")
        case .endless(let bytes):
            let piece = anthropic
                ? "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"\(String(repeating: "y", count: 4000))\"}}\n\n"
                : "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\(String(repeating: "y", count: 4000))\"},\"finish_reason\":null}]}\n\n"
            var sent = 0
            while sent < bytes {
                try await send(piece)
                sent += piece.utf8.count
            }
        case .raw(let bytes):
            try await writer.write(ByteBuffer(bytes: bytes))
        case .events(let text):
            try await send(text)
        case .trickle(let parts, let every):
            try await chunks(Array(parts.prefix(1)), finish: nil)
            for part in parts.dropFirst() {
                try await Task.sleep(for: every)
                try await send("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\(json(part))},\"finish_reason\":null}]}\n\n")
            }
            try await send("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
        case .status, .plainJSON, .hugeJSON, .json:
            break
        }
        try await writer.finish(nil)
    }

    static let embeddingAnswer = #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,-0.5,0.125]}],"model":"embed-upstream","usage":{"prompt_tokens":3,"total_tokens":3}}"#

    private static func json(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed]), as: UTF8.self)
    }
}

/// What Anthropic's Messages API refuses, as the fake checks it: the problem with a request, or nil.
enum AnthropicRules {
    static let blockTypes: Set<String> = ["text", "image", "document", "tool_use", "tool_result"]

    static func problem(_ body: [String: Any]) -> String? {
        guard body["max_tokens"] is Int else { return "max_tokens: Field required" }
        if body["temperature"] != nil, body["top_p"] != nil {
            return "`temperature` and `top_p` cannot both be specified for this model. Please use only one."
        }
        if let temperature = body["temperature"] as? Double, temperature > 1 { return "temperature: Input should be less than or equal to 1" }
        if let stops = body["stop_sequences"] as? [String], stops.contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            return "stop_sequences: each stop sequence must contain non-whitespace"
        }
        for key in ["logit_bias", "n", "logprobs", "seed", "response_format", "functions", "stream_options", "max_completion_tokens"] where body[key] != nil {
            return "\(key): Extra inputs are not permitted"
        }
        guard let messages = body["messages"] as? [[String: Any]], !messages.isEmpty else { return "messages: at least one message is required" }
        if messages.first?["role"] as? String != "user" { return "messages: first message must use the \"user\" role" }
        for (index, message) in messages.enumerated() {
            guard let role = message["role"] as? String, role == "user" || role == "assistant" else { return "messages.\(index).role: Input should be 'user' or 'assistant'" }
            if index > 0, messages[index - 1]["role"] as? String == role { return "messages: roles must alternate between \"user\" and \"assistant\"" }
            if let text = message["content"] as? String {
                if text.isEmpty { return "messages.\(index): all messages must have non-empty content" }
                continue
            }
            guard let blocks = message["content"] as? [[String: Any]], !blocks.isEmpty else { return "messages.\(index): all messages must have non-empty content" }
            for (position, block) in blocks.enumerated() {
                guard let type = block["type"] as? String, blockTypes.contains(type) else {
                    return "messages.\(index).content.\(position).type: Input tag '\(block["type"] ?? "")' found using 'type' does not match any of the expected tags"
                }
                if type == "text", (block["text"] as? String ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    return "messages.\(index).content.\(position): text content blocks must contain non-whitespace text"
                }
                if type == "tool_use", !(block["input"] is [String: Any]) { return "messages.\(index).content.\(position).input: Input should be a valid dictionary" }
            }
        }
        return nil
    }
}
