import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServingEngine

extension GatewayServer {
    /// `POST /v1/responses`: the Responses API bridged onto the chat engine (same cache, routing
    /// and cascade), answered whole or as the API's typed server-sent events.
    func responses(_ incoming: Request) async -> Response {
        let intake: Intake
        switch await self.intake(incoming, route: "responses") {
        case .admitted(let value): intake = value
        case .refused(let response): return response
        }
        var streaming = false
        defer { if !streaming { intake.slot.release() } }
        let mapped: ResponsesRequestMapping.Mapped
        do {
            mapped = try ResponsesRequestMapping(maxMessages: settings.maxMessages, maxPromptBytes: settings.maxPromptBytes).parse(intake.body.readableBytesView)
        } catch {
            return failure(error, route: "responses")
        }
        var chat = mapped.request
        chat.tenant = intake.tenant
        chat.options.origin = .api
        Self.applyCacheControl(incoming, to: &chat.options)
        let pass: TenantPass
        switch await admitTenant(chat, route: "responses") {
        case .admitted(let admitted): pass = admitted
        case .refused(let refusal): return refusal
        }
        let request = chat
        return await metered(pass) {
            let (response, bodyOwnsSlot) = await answer(request, mapped: mapped, intake: intake)
            streaming = bodyOwnsSlot
            return response
        }
    }

    /// The answer to a mapped Responses request, and whether its body took over the intake's slot.
    private func answer(_ chat: ChatRequest, mapped: ResponsesRequestMapping.Mapped, intake: Intake) async -> (Response, Bool) {
        let createdAt = Int(Date().timeIntervalSince1970)
        guard chat.stream else {
            do {
                let answer = try await engine.complete(chat)
                metrics.record(answer.decision)
                var response = Self.json(ResponsesWire.response(answer, createdAt: createdAt, echo: mapped.echo))
                response.headers.append(contentsOf: Self.decisionHeaders(cache: answer.decision.cache, tier: answer.decision.route.tier, provider: answer.decision.provider, attempts: answer.decision.attempts, overhead: Self.overhead(total: answer.decision.latency, attempts: answer.decision.attempts)))
                logger.info("POST /v1/responses", metadata: ["status": "200", "tenant": "\(chat.tenant)", "model": "\(chat.model)", "stream": "false", "cache": "\(answer.decision.cache.label)", "provider": "\(answer.decision.provider ?? "cache")"])
                return (respond(route: "responses", response), false)
            } catch {
                if let refusal = budgetRefusal(error, tenant: chat.tenant, route: "responses") { return (refusal, false) }
                recordFailureMetrics(error)
                logger.info("POST /v1/responses", metadata: ["status": "\(APIError(error).status.code)", "tenant": "\(chat.tenant)", "model": "\(chat.model)", "error": "\(error.code)"])
                return (respond(route: "responses", engineErrorResponse(error)), false)
            }
        }
        let events = EngineEvents(engine.stream(chat))
        let source: AnswerSource
        do {
            guard case .answering(let first)? = try await events.next() else {
                return (failure(APIError(.internalServerError, "the engine ended the stream before answering", type: "api_error"), route: "responses"), false)
            }
            source = first
        } catch {
            let engineError = error as? EngineError ?? EngineError(.cancelled, "\(error)")
            if let refusal = budgetRefusal(engineError, tenant: chat.tenant, route: "responses") { return (refusal, false) }
            recordFailureMetrics(engineError)
            return (respond(route: "responses", engineErrorResponse(engineError)), false)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers.append(contentsOf: Self.decisionHeaders(cache: source.cache, tier: source.route.tier, provider: source.provider, attempts: source.attempts, overhead: Self.overhead(total: .now - intake.arrival, attempts: source.attempts)))
        let echo = mapped.echo
        let slot = intake.slot
        let (tenant, model) = (chat.tenant, chat.model)
        let body = ResponseBody { bodyWriter in
            defer { slot.release() }
            var writer = ResponsesStreamWriter(id: ResponsesWire.responseID(source.requestID), model: source.model, createdAt: createdAt, echo: echo)
            var outcome = "ok"
            do {
                try await bodyWriter.write(Self.responseEvents(writer.start()))
                do {
                    while let event = try await events.next() {
                        switch event {
                        case .answering, .responseFields: continue
                        case .text(let text): try await bodyWriter.write(Self.responseEvents(writer.text(text)))
                        case .delta(let delta): try await bodyWriter.write(Self.responseEvents(writer.delta(delta)))
                        case .finished(let reason, let usage, let record):
                            self.metrics.record(record)
                            try await bodyWriter.write(Self.responseEvents(writer.finish(reason, usage: usage)))
                        }
                    }
                } catch let error as EngineError {
                    outcome = error.code.description
                    self.recordFailureMetrics(error)
                    try await bodyWriter.write(Self.responseEvents(writer.failed(APIError(error))))
                }
                try await bodyWriter.finish(nil)
            } catch {
                outcome = "client_disconnected"
            }
            self.logger.info("POST /v1/responses", metadata: ["status": "200", "tenant": "\(tenant)", "model": "\(model)", "stream": "true", "outcome": "\(outcome)"])
            self.metrics.recordResponse(route: "responses", status: outcome == "client_disconnected" ? 499 : 200)
        }
        return (Response(status: .ok, headers: headers, body: body), true)
    }

    /// Typed server-sent events: `event: <type>` then `data: <json>`.
    static func responseEvents(_ events: [(String, JSONObject)]) -> ByteBuffer {
        var bytes: [UInt8] = []
        for (type, body) in events {
            bytes.append(contentsOf: "event: \(type)\ndata: ".utf8)
            JSONValue.object(body).write(into: &bytes)
            bytes.append(contentsOf: "\n\n".utf8)
        }
        return ByteBuffer(bytes: bytes)
    }
}
