import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
package import ServingEngine

extension GatewayServer {
    /// `GET /admin/stream?fps=10&sample=50[&frames=N]`: the console feed as server-sent events, one
    /// `frame` event per tick (``ConsoleFeedFrame`` as JSON), for ever or for `N` frames (a quick
    /// look with curl). Authenticated like the admin API.
    ///
    /// Each console has its own loop: take a snapshot, write it, sleep. A slow console slows only
    /// its own loop (the write waits, frames are skipped, nothing queues), and the engine never
    /// waits on it. The stream ends when the console goes away or the server shuts down.
    func adminStream(_ request: Request) -> Response {
        if let error = authorizeAdmin(request) { return failure(error, route: "admin") }
        let fps = min(30, max(1, Int(request.uri.queryParameters.get("fps") ?? "") ?? 10))
        let sample = min(500, max(1, Int(request.uri.queryParameters.get("sample") ?? "") ?? 50))
        let frames = Int(request.uri.queryParameters.get("frames") ?? "").map { max(1, $0) }
        let engine = self.engine
        let server = address.map(\.description) ?? settings.address.description
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        logger.notice("console attached", metadata: ["fps": "\(fps)", "sample": "\(sample)"])
        let logger = self.logger
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var cursor = ConsoleFeedCursor(sampleSize: sample)
            let encoder = JSONEncoder()
            let interval = Duration.milliseconds(1000 / fps)
            defer { logger.notice("console detached") }
            var sent = 0
            while !Task.isCancelled, !Task.isShuttingDownGracefully, sent < frames ?? Int.max {
                let started = ContinuousClock.now
                let frame = cursor.frame(from: engine.snapshot(activityLimit: 300), server: server)
                var buffer = ByteBuffer()
                buffer.writeString("event: frame\ndata: ")
                buffer.writeBytes(try encoder.encode(frame))
                buffer.writeString("\n\n")
                try await writer.write(buffer)
                sent += 1
                if sent == frames { break }
                try await Task.sleep(until: started + interval)
            }
            try await writer.finish(nil)
        })
    }

    /// `POST /admin/console/chat` with `{"prompt", "tenant", "model", "tier", "bypass_cache"}`: a
    /// prompt from an attached console, answered by the engine as the console's own prompts are
    /// (origin `console`, for the tenant the operator chose), streamed back as `answering`, `text`,
    /// `finished` (with the whole decision record) or `error` events.
    func adminConsoleChat(_ request: Request) async -> Response {
        if let error = authorizeAdmin(request) { return failure(error, route: "admin") }
        let body: ConsoleChatBody
        do {
            let buffer = try await request.body.collect(upTo: 1 << 20)
            body = try JSONDecoder().decode(ConsoleChatBody.self, from: Data(buffer.readableBytesView))
        } catch {
            return failure(APIError(.badRequest, "expected a JSON body {\"prompt\": TEXT, \"tenant\": NAME, \"model\"?, \"tier\"?, \"bypass_cache\"?} of at most 1 MiB: \(error)", code: "invalid_console_prompt"), route: "admin")
        }
        let chat = ChatRequest(
            model: body.model ?? ChatRequest.automaticModel,
            messages: [ChatMessage(role: .user, content: body.prompt)],
            stream: true,
            tenant: body.tenant.isEmpty ? ChatRequest.defaultTenant : body.tenant,
            options: RequestOptions(cacheLookup: !(body.bypassCache ?? false), cacheStore: !(body.bypassCache ?? false), forcedTier: body.tier, origin: .console)
        )
        let engine = self.engine
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let encoder = JSONEncoder()
            func send(_ name: String, _ value: some Encodable) async throws {
                var buffer = ByteBuffer()
                buffer.writeString("event: \(name)\ndata: ")
                buffer.writeBytes(try encoder.encode(value))
                buffer.writeString("\n\n")
                try await writer.write(buffer)
            }
            do {
                // Under the tenant's limits, like every prompt that reaches a provider.
                for try await event in engine.streamWithinLimits(chat) {
                    switch event {
                    case .answering(let source):
                        try await send("answering", ConsoleChatEvent(source: ConsoleChatEvent.Source(source)))
                    case .text(let chunk):
                        try await send("text", ConsoleChatEvent(text: chunk))
                    case .delta(let delta):
                        // The console shows the first choice's text.
                        if delta.index == 0, let chunk = delta.content, !chunk.isEmpty { try await send("text", ConsoleChatEvent(text: chunk)) }
                    case .responseFields:
                        continue
                    case .finished(let reason, let usage, let decision):
                        try await send("finished", ConsoleChatEvent(finish: reason.rawValue, usage: usage, decision: decision))
                    }
                }
            } catch let error as EngineError {
                try await send("error", ConsoleChatEvent(error: error.message, code: error.code.description, attempts: error.attempts))
            }
            try await writer.finish(nil)
        })
    }
}

/// The body of `POST /admin/console/chat`.
package struct ConsoleChatBody: Codable, Sendable {
    package var prompt: String
    package var tenant: String
    package var model: String?
    package var tier: String?
    package var bypassCache: Bool?

    enum CodingKeys: String, CodingKey {
        case prompt, tenant, model, tier
        case bypassCache = "bypass_cache"
    }

    package init(prompt: String, tenant: String, model: String?, tier: String?, bypassCache: Bool) {
        self.prompt = prompt
        self.tenant = tenant
        self.model = model
        self.tier = tier
        self.bypassCache = bypassCache
    }
}

/// One event of `POST /admin/console/chat`'s stream; which fields are set depends on the event.
package struct ConsoleChatEvent: Codable, Sendable {
    /// Where the answer comes from.
    package struct Source: Codable, Sendable {
        package var requestID: String
        package var model: String
        package var provider: String?
        package var cache: CacheOutcome
        package var route: RouteDecision
        package var attempts: [ProviderAttempt]

        package init(_ source: AnswerSource) {
            requestID = source.requestID
            model = source.model
            provider = source.provider
            cache = source.cache
            route = source.route
            attempts = source.attempts
        }

        package var answerSource: AnswerSource {
            AnswerSource(requestID: requestID, model: model, provider: provider, cache: cache, route: route, attempts: attempts)
        }
    }

    package var source: Source?
    package var text: String?
    package var finish: String?
    package var usage: TokenUsage?
    package var decision: DecisionRecord?
    package var error: String?
    package var code: String?
    package var attempts: [ProviderAttempt]?

    package init(source: Source? = nil, text: String? = nil, finish: String? = nil, usage: TokenUsage? = nil, decision: DecisionRecord? = nil, error: String? = nil, code: String? = nil, attempts: [ProviderAttempt]? = nil) {
        self.source = source
        self.text = text
        self.finish = finish
        self.usage = usage
        self.decision = decision
        self.error = error
        self.code = code
        self.attempts = attempts
    }
}
