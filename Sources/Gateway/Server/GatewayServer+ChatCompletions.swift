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
        let intake: Intake
        switch await self.intake(incoming, route: "chat") {
        case .admitted(let value): intake = value
        case .refused(let response): return response
        }
        // A stream hands its slot to the response body, which gives it back when the stream ends.
        var streaming = false
        defer { if !streaming { intake.slot.release() } }
        let parsed: ChatCompletionRequestParser.Parsed
        do {
            parsed = try ChatCompletionRequestParser(maxMessages: settings.maxMessages, maxPromptBytes: settings.maxPromptBytes).parse(intake.body.readableBytesView)
        } catch {
            return failure(error, route: "chat")
        }
        var chat = parsed.request
        chat.tenant = intake.tenant
        chat.options.origin = .api
        Self.applyCacheControl(incoming, to: &chat.options)
        let pass: TenantPass
        switch await admitTenant(chat, route: "chat") {
        case .admitted(let admitted): pass = admitted
        case .refused(let refusal): return refusal
        }
        guard chat.stream else { return await metered(pass) { await complete(chat, arrival: intake.arrival) } }
        return await metered(pass) {
            let (response, bodyOwnsSlot) = await streamed(chat, includeUsage: parsed.includeUsage, arrival: intake.arrival, slot: intake.slot)
            streaming = bodyOwnsSlot
            return response
        }
    }

    private func complete(_ chat: ChatRequest, arrival: ContinuousClock.Instant) async -> Response {
        do {
            let answer = try await engine.complete(chat)
            let decision = answer.decision
            metrics.record(decision)
            var response = Self.json(ChatCompletionWire.completion(answer, created: Int(decision.receivedAt.timeIntervalSince1970)))
            let overhead = Self.overhead(total: decision.latency, attempts: decision.attempts)
            response.headers.append(contentsOf: Self.decisionHeaders(cache: decision.cache, tier: decision.route.tier, provider: decision.provider, attempts: decision.attempts, overhead: overhead))
            response.headers.append(contentsOf: droppedFieldsHeader(chat, provider: decision.provider))
            logRequest(chat, status: 200, stream: false, cache: decision.cache.label, tier: decision.route.tier, provider: decision.provider, attempts: decision.attempts, overhead: overhead, latency: .now - arrival, requestID: answer.id, error: nil)
            return respond(route: "chat", response)
        } catch {
            return engineFailure(error, chat: chat, stream: false, arrival: arrival)
        }
    }

    private func engineFailure(_ error: EngineError, chat: ChatRequest, stream: Bool, arrival: ContinuousClock.Instant) -> Response {
        if let refusal = budgetRefusal(error, tenant: chat.tenant, route: "chat") { return refusal }
        recordFailureMetrics(error)
        logRequest(chat, status: APIError(error).status.code, stream: stream, cache: nil, tier: nil, provider: nil, attempts: error.attempts, overhead: nil, latency: .now - arrival, requestID: nil, error: error.code.description)
        return respond(route: "chat", engineErrorResponse(error))
    }

    func recordFailureMetrics(_ error: EngineError) {
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
        let events = EngineEvents(engine.stream(chat))
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
        headers.append(contentsOf: Self.decisionHeaders(cache: source.cache, tier: source.route.tier, provider: source.provider, attempts: source.attempts, overhead: Self.overhead(total: .now - arrival - source.providerTimeToFirstPiece, attempts: source.attempts)))
        headers.append(contentsOf: droppedFieldsHeader(chat, provider: source.provider))
        let created = Int(Date().timeIntervalSince1970)
        let body = ResponseBody { bodyWriter in
            defer { slot.release() }
            var writer = ChunkWriter(id: source.requestID, model: source.model, created: created)
            var status = 200
            var errorCode: String?
            var decision: DecisionRecord?
            // Choices whose opening (role) chunk or closing (finish) chunk has gone out.
            var opened: Set<Int> = [0]
            var closed: Set<Int> = []
            // The opening (role) chunk goes out with the answer's first piece, in one write, so the
            // client reads its first token in the same segment; the closing chunks go in one too.
            var opening: ByteBuffer? = writer.opening()
            do {
                do {
                    while let event = try await events.next() {
                        switch event {
                        case .answering:
                            continue
                        case .text(let text):
                            try await bodyWriter.write(Self.after(&opening, writer.text(text)))
                        case .delta(let delta):
                            var piece = ByteBuffer()
                            if opened.insert(delta.index).inserted { piece.writeImmutableBuffer(writer.opening(index: delta.index)) }
                            if delta.finishReason != nil { closed.insert(delta.index) }
                            piece.writeImmutableBuffer(writer.delta(delta))
                            try await bodyWriter.write(Self.after(&opening, piece))
                        case .responseFields(let fields):
                            for (key, value) in fields { writer.responseFields[key] = value }
                        case .finished(let reason, let usage, let record):
                            decision = record
                            var closing = ByteBuffer()
                            if !closed.contains(0) { closing.writeImmutableBuffer(writer.finish(reason)) }
                            if includeUsage { closing.writeImmutableBuffer(writer.usageChunk(usage)) }
                            closing.writeImmutableBuffer(ChunkWriter.done)
                            try await bodyWriter.write(Self.after(&opening, closing))
                        }
                    }
                } catch let error as EngineError {
                    // The answer broke off: say so explicitly, never with a clean [DONE].
                    status = APIError(error).status.code
                    errorCode = error.code.description
                    self.recordFailureMetrics(error)
                    try await bodyWriter.write(Self.after(&opening, writer.error(APIError(error))))
                }
                if let opening { try await bodyWriter.write(opening) }
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

    /// `piece`, preceded by `pending` (which is then used up) if it has not gone out yet.
    static func after(_ pending: inout ByteBuffer?, _ piece: ByteBuffer) -> ByteBuffer {
        guard var joined = pending.take() else { return piece }
        joined.writeImmutableBuffer(piece)
        return joined
    }

    /// `x-switchboard-dropped-fields`, when the answering provider is set to drop the request's
    /// fields that Switchboard does not know (`drop_unknown_fields`) and the request had some.
    func droppedFieldsHeader(_ chat: ChatRequest, provider: String?) -> HTTPFields {
        var headers = HTTPFields()
        guard let provider, engine.configuration.providers.first(where: { $0.name == provider })?.dropUnknownFields == true else { return headers }
        let dropped = OpenAIChatFields.unknown(in: chat.parameters)
        if !dropped.isEmpty { headers[Self.droppedFieldsHeaderName] = dropped.joined(separator: ", ") }
        return headers
    }

    /// `Retry-After` in whole seconds, rounded up (at least 1).
    static func retryAfterSeconds(_ wait: Duration) -> String {
        String(max(1, Int(wait.seconds.rounded(.up))))
    }

    /// `x-switchboard-skipped`: the providers skipped and why (`gpt-small (no vision)`).
    static func skippedHeader(_ attempts: [ProviderAttempt]) -> HTTPFields {
        var headers = HTTPFields()
        let skipped = attempts.compactMap { attempt -> String? in
            if case .skipped(let reason) = attempt.outcome { "\(attempt.provider) (\(reason))" } else { nil }
        }
        if !skipped.isEmpty { headers[skippedHeaderName] = skipped.joined(separator: ", ") }
        return headers
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
        FixedDecimal.text(duration.milliseconds, digits: 3)
    }

    static let attemptsHeader = HTTPField.Name("x-switchboard-attempts")!
    private static let cacheHeader = HTTPField.Name("x-switchboard-cache")!
    private static let similarityHeader = HTTPField.Name("x-switchboard-similarity")!
    private static let tierHeader = HTTPField.Name("x-switchboard-tier")!
    private static let providerHeader = HTTPField.Name("x-switchboard-provider")!
    private static let overheadHeader = HTTPField.Name("x-switchboard-overhead-ms")!
    static let droppedFieldsHeaderName = HTTPField.Name("x-switchboard-dropped-fields")!
    static let skippedHeaderName = HTTPField.Name("x-switchboard-skipped")!

    /// The `x-switchboard-*` headers that say what happened to a request.
    static func decisionHeaders(cache: CacheOutcome, tier: String, provider: String?, attempts: [ProviderAttempt], overhead: Duration?) -> HTTPFields {
        var headers = HTTPFields()
        headers[cacheHeader] = cache.label
        switch cache {
        case .semantic(let similarity, _): headers[similarityHeader] = FixedDecimal.text(similarity, digits: 4)
        case .exact: headers[similarityHeader] = "1.0000"
        case .miss(let best?): headers[similarityHeader] = FixedDecimal.text(best, digits: 4)
        default: break
        }
        headers[tierHeader] = tier
        headers[providerHeader] = provider ?? "cache"
        headers[attemptsHeader] = String(attempts.filter { if case .skipped = $0.outcome { false } else { true } }.count)
        if let overhead { headers[overheadHeader] = milliseconds(overhead) }
        headers.append(contentsOf: skippedHeader(attempts))
        return headers
    }
}

/// The engine's event stream, read first by the handler (to set headers) and then by the response
/// body writer. The two never read at the same time, which is what makes the unchecked
/// `Sendable` conformance sound.
final class EngineEvents: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<EngineStreamEvent, any Error>.AsyncIterator

    init(_ stream: AsyncThrowingStream<EngineStreamEvent, any Error>) {
        iterator = stream.makeAsyncIterator()
    }

    func next() async throws -> EngineStreamEvent? {
        try await iterator.next()
    }
}
