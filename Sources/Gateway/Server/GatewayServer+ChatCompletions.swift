import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServingEngine

extension GatewayServer {
    /// `POST /v1/chat/completions`: authenticate, read and check the body, then answer in full or
    /// as server-sent events.
    func chatCompletions(_ incoming: Request) async -> Response {
        let arrival = ContinuousClock.now
        let caller: (key: String, tenant: String)
        switch self.caller(for: incoming) {
        case .success(let value): caller = value
        case .failure(let error): return failure(error, route: "chat")
        }
        let slot: RequestSlots.Slot
        switch slots.acquire(caller.key) {
        case .success(let value): slot = value
        case .failure(let refusal): return failure(Self.tooManyInFlight(refusal.inFlight, limit: slots.limit), route: "chat", extraHeaders: [.retryAfter: "1"])
        }
        // A stream hands its slot to the response body, which gives it back when the stream ends.
        var streaming = false
        defer { if !streaming { slot.release() } }
        if let declared = incoming.headers[.contentLength].flatMap(Int.init), declared > settings.maxBodyBytes {
            return failure(Self.tooLarge(settings.maxBodyBytes, declared: declared), route: "chat")
        }
        var request = incoming
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: settings.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return failure(Self.tooLarge(settings.maxBodyBytes, declared: nil), route: "chat")
        } catch {
            return failure(APIError(.badRequest, "could not read the request body: \(error)", code: "bad_body"), route: "chat")
        }
        let parsed: ChatCompletionRequestParser.Parsed
        do {
            parsed = try ChatCompletionRequestParser(maxMessages: settings.maxMessages, maxPromptBytes: settings.maxPromptBytes).parse(Data(buffer: buffer))
        } catch {
            return failure(error, route: "chat")
        }
        let tenantName = caller.tenant
        var chat = parsed.request
        chat.tenant = tenantName
        chat.options.origin = .api
        let cacheControl = (incoming.headers[.cacheControl] ?? "").lowercased()
        if cacheControl.contains("no-store") {
            chat.options.cacheLookup = false
            chat.options.cacheStore = false
        } else if cacheControl.contains("no-cache") {
            chat.options.cacheLookup = false
        }
        let pass: TenantPass
        switch admitTenant(chat, route: "chat") {
        case .admitted(let admitted): pass = admitted
        case .refused(let refusal): return refusal
        }
        guard chat.stream else { return await metered(pass) { await complete(chat, arrival: arrival) } }
        return await metered(pass) {
            let (response, bodyOwnsSlot) = await streamed(chat, includeUsage: parsed.includeUsage, arrival: arrival, slot: slot)
            streaming = bodyOwnsSlot
            return response
        }
    }

    private func complete(_ chat: ChatRequest, arrival: ContinuousClock.Instant) async -> Response {
        do {
            let answer = try await engine.complete(chat)
            let decision = answer.decision
            metrics.record(decision)
            var response = Self.json(ChatCompletionBody(answer, created: Int(decision.receivedAt.timeIntervalSince1970)))
            let overhead = Self.overhead(total: decision.latency, attempts: decision.attempts)
            response.headers.append(contentsOf: Self.decisionHeaders(cache: decision.cache, tier: decision.route.tier, provider: decision.provider, attempts: decision.attempts, overhead: overhead))
            logRequest(chat, status: 200, stream: false, cache: decision.cache.label, tier: decision.route.tier, provider: decision.provider, attempts: decision.attempts, overhead: overhead, latency: .now - arrival, requestID: answer.id, error: nil)
            return respond(route: "chat", response)
        } catch {
            return engineFailure(error, chat: chat, stream: false, arrival: arrival)
        }
    }

    private func engineFailure(_ error: EngineError, chat: ChatRequest, stream: Bool, arrival: ContinuousClock.Instant) -> Response {
        if let refusal = budgetRefusal(error, tenant: chat.tenant, route: "chat") { return refusal }
        recordFailureMetrics(error)
        let api = APIError(error)
        var headers = HTTPFields()
        let tried = error.attempts.filter { if case .skipped = $0.outcome { false } else { true } }.count
        headers[Self.attemptsHeader] = String(tried)
        logRequest(chat, status: api.status.code, stream: stream, cache: nil, tier: nil, provider: nil, attempts: error.attempts, overhead: nil, latency: .now - arrival, requestID: nil, error: error.code.description)
        var response = Self.json(api.body, status: api.status)
        for field in headers { response.headers.append(field) }
        return respond(route: "chat", response)
    }

    private func recordFailureMetrics(_ error: EngineError) {
        metrics.recordError(kind: error.code.description)
        for attempt in error.attempts {
            if case .failed(let failure) = attempt.outcome {
                metrics.recordProviderFailure(provider: attempt.provider, kind: failure.kind.rawValue, latency: attempt.latency)
            }
        }
    }

    /// The streamed answer, and whether its body took over `slot` (it did unless the request
    /// failed before the stream began).
    private func streamed(_ chat: ChatRequest, includeUsage: Bool, arrival: ContinuousClock.Instant, slot: RequestSlots.Slot) async -> (Response, Bool) {
        let events = EventSource(engine.stream(chat))
        let source: AnswerSource
        do {
            guard case .answering(let first)? = try await events.next() else {
                return (failure(APIError(.internalServerError, "the engine ended the stream before answering", type: "api_error"), route: "chat"), false)
            }
            source = first
        } catch let error as EngineError {
            return (engineFailure(error, chat: chat, stream: true, arrival: arrival), false)
        } catch {
            return (engineFailure(EngineError(.cancelled, "\(error)"), chat: chat, stream: true, arrival: arrival), false)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers.append(contentsOf: Self.decisionHeaders(cache: source.cache, tier: source.route.tier, provider: source.provider, attempts: source.attempts, overhead: Self.overhead(total: .now - arrival, attempts: source.attempts)))
        let created = Int(Date().timeIntervalSince1970)
        let writer = ChunkWriter(id: source.requestID, model: source.model, created: created)
        let body = ResponseBody { bodyWriter in
            defer { slot.release() }
            var status = 200
            var errorCode: String?
            var decision: DecisionRecord?
            do {
                try await bodyWriter.write(writer.chunk(role: "assistant", content: ""))
                do {
                    while let event = try await events.next() {
                        switch event {
                        case .answering:
                            continue
                        case .text(let text):
                            try await bodyWriter.write(writer.chunk(content: text))
                        case .finished(let reason, let usage, let record):
                            decision = record
                            try await bodyWriter.write(writer.chunk(finishReason: reason.rawValue))
                            if includeUsage { try await bodyWriter.write(writer.usageChunk(usage)) }
                            try await bodyWriter.write(ChunkWriter.done)
                        }
                    }
                } catch let error as EngineError {
                    // The answer broke off: say so explicitly, never with a clean [DONE].
                    status = APIError(error).status.code
                    errorCode = error.code.description
                    self.recordFailureMetrics(error)
                    try await bodyWriter.write(writer.error(APIError(error)))
                }
                try await bodyWriter.finish(nil)
            } catch {
                status = 499
                errorCode = "client_disconnected"
            }
            if let decision { self.metrics.record(decision) }
            self.logRequest(chat, status: status, stream: true, cache: source.cache.label, tier: source.route.tier, provider: source.provider, attempts: decision?.attempts ?? source.attempts, overhead: decision.map { Self.overhead(total: $0.latency, attempts: $0.attempts) }, latency: .now - arrival, requestID: source.requestID, error: errorCode)
            // The HTTP status was 200 once the stream began; a client that left is counted as 499.
            self.metrics.recordResponse(route: "chat", status: errorCode == "client_disconnected" ? 499 : 200)
        }
        return (Response(status: .ok, headers: headers, body: body), true)
    }

    private func logRequest(_ chat: ChatRequest, status: Int, stream: Bool, cache: String?, tier: String?, provider: String?, attempts: [ProviderAttempt], overhead: Duration?, latency: Duration, requestID: String?, error: String?) {
        var metadata: Logger.Metadata = [
            "status": "\(status)",
            "tenant": "\(chat.tenant)",
            "model": "\(chat.model)",
            "stream": "\(stream)",
            "latency_ms": "\(Self.milliseconds(latency))",
            "attempts": "\(attempts.map(\.summary).joined(separator: "; "))",
        ]
        if let requestID { metadata["id"] = "\(requestID)" }
        if let cache { metadata["cache"] = "\(cache)" }
        if let tier { metadata["tier"] = "\(tier)" }
        if let provider { metadata["provider"] = "\(provider)" }
        if let overhead { metadata["overhead_ms"] = "\(Self.milliseconds(overhead))" }
        if let error { metadata["error"] = "\(error)" }
        if settings.logPrompts { metadata["prompt"] = "\(chat.lastUserPrompt)" }
        logger.info("POST /v1/chat/completions", metadata: metadata)
    }

    static func tooLarge(_ limit: Int, declared: Int?) -> APIError {
        let size = declared.map { "is \($0) bytes" } ?? "has more than \(limit) bytes"
        return APIError(.contentTooLarge, "the request body \(size), more than the gateway's limit of \(limit) bytes (gateway.max_body_bytes); send less or raise the limit", code: "body_too_large")
    }

    static func tooManyInFlight(_ inFlight: Int, limit: Int) -> APIError {
        APIError(.tooManyRequests, "this API key already has \(inFlight) requests in flight, the gateway's limit (gateway.max_concurrent_per_key is \(limit)); retry when one finishes, or raise the limit", code: "too_many_concurrent_requests")
    }

    /// Time spent in Switchboard itself: the total minus the time providers took.
    static func overhead(total: Duration, attempts: [ProviderAttempt]) -> Duration {
        max(.zero, total - attempts.reduce(Duration.zero) { $0 + $1.latency })
    }

    static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.3f", duration.milliseconds)
    }

    static let attemptsHeader = HTTPField.Name("x-switchboard-attempts")!
    private static let cacheHeader = HTTPField.Name("x-switchboard-cache")!
    private static let similarityHeader = HTTPField.Name("x-switchboard-similarity")!
    private static let tierHeader = HTTPField.Name("x-switchboard-tier")!
    private static let providerHeader = HTTPField.Name("x-switchboard-provider")!
    private static let overheadHeader = HTTPField.Name("x-switchboard-overhead-ms")!

    /// The `x-switchboard-*` headers that say what happened to a request.
    static func decisionHeaders(cache: CacheOutcome, tier: String, provider: String?, attempts: [ProviderAttempt], overhead: Duration?) -> HTTPFields {
        var headers = HTTPFields()
        headers[cacheHeader] = cache.label
        switch cache {
        case .semantic(let similarity, _): headers[similarityHeader] = String(format: "%.4f", similarity)
        case .exact: headers[similarityHeader] = "1.0000"
        case .miss(let best?): headers[similarityHeader] = String(format: "%.4f", best)
        default: break
        }
        headers[tierHeader] = tier
        headers[providerHeader] = provider ?? "cache"
        headers[attemptsHeader] = String(attempts.filter { if case .skipped = $0.outcome { false } else { true } }.count)
        if let overhead { headers[overheadHeader] = milliseconds(overhead) }
        return headers
    }
}

/// The engine's event stream, read first by the handler (to set headers) and then by the response
/// body writer. The two never read at the same time, which is what makes the unchecked
/// `Sendable` conformance sound.
private final class EventSource: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<EngineStreamEvent, any Error>.AsyncIterator

    init(_ stream: AsyncThrowingStream<EngineStreamEvent, any Error>) {
        iterator = stream.makeAsyncIterator()
    }

    func next() async throws -> EngineStreamEvent? {
        try await iterator.next()
    }
}
