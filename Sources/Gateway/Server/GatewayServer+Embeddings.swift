import HTTPTypes
import Hummingbird
import Logging
import ServingEngine

extension GatewayServer {
    /// `POST /v1/embeddings`: routed like chat (a tier, alias or provider name, or `auto`), through
    /// the cascade to providers that can embed; the provider's answer passes back as sent, with
    /// the model the client named.
    func embeddings(_ incoming: Request) async -> Response {
        let intake: Intake
        switch await self.intake(incoming, route: "embeddings") {
        case .admitted(let value): intake = value
        case .refused(let response): return response
        }
        defer { intake.slot.release() }
        let body: JSONObject
        do {
            body = try ChatCompletionRequestParser.object(intake.body.readableBytesView, expecting: "'model' and 'input'")
            try Self.checkEmbeddingBody(body)
        } catch {
            return failure(error, route: "embeddings")
        }
        let model = body["model"]?.stringValue ?? ChatRequest.automaticModel
        var parameters = body
        parameters.removeValue(forKey: "model")
        let request = EmbeddingRequest(model: model, parameters: parameters, tenant: intake.tenant)
        let pass: TenantPass
        switch await admitTenant(intake.tenant, estimatedTokens: request.estimatedTokens, route: "embeddings") {
        case .admitted(let admitted): pass = admitted
        case .refused(let refusal): return refusal
        }
        return await metered(pass) {
            do {
                let answer = try await engine.embed(request)
                pass.settle(usedTokens: answer.usage.totalTokens, costUSD: answer.decision.costUSD)
                metrics.record(answer.decision)
                var response = Self.json(answer.body)
                response.headers.append(contentsOf: Self.decisionHeaders(cache: .disabled, tier: answer.decision.route.tier, provider: answer.decision.provider, attempts: answer.decision.attempts, overhead: Self.overhead(total: answer.decision.latency, attempts: answer.decision.attempts)))
                logger.info("POST /v1/embeddings", metadata: ["status": "200", "tenant": "\(intake.tenant)", "model": "\(model)", "provider": "\(answer.decision.provider ?? "-")", "latency_ms": "\(Self.milliseconds(.now - intake.arrival))"])
                return respond(route: "embeddings", response)
            } catch {
                let error = error as? EngineError ?? EngineError(.cancelled, "\(error)")
                pass.settle(usedTokens: 0, costUSD: 0)
                // A spent budget with no zero-price provider that can embed: the budget's 429.
                if let refusal = budgetRefusal(error, tenant: intake.tenant, route: "embeddings") { return refusal }
                recordFailureMetrics(error)
                logger.info("POST /v1/embeddings", metadata: ["status": "\(APIError(error).status.code)", "tenant": "\(intake.tenant)", "model": "\(model)", "error": "\(error.code)"])
                return respond(route: "embeddings", engineErrorResponse(error))
            }
        }
    }

    static func checkEmbeddingBody(_ body: JSONObject) throws(APIError) {
        if let model = body["model"], model.stringValue?.isEmpty != false {
            throw APIError(.badRequest, "'model' must be a non-empty string, got \(model.typeDescription)", param: "model", code: "invalid_type")
        }
        guard let input = body["input"] else {
            throw APIError(.badRequest, "missing required field 'input' (a string, a list of strings, or token lists)", param: "input", code: "missing_field")
        }
        switch input {
        case .string: break
        case .array(let items) where !items.isEmpty:
            let valid = items.allSatisfy { $0.stringValue != nil } || items.allSatisfy { $0.intValue != nil }
                || items.allSatisfy { $0.arrayValue?.allSatisfy { $0.intValue != nil } == true }
            guard valid else {
                throw APIError(.badRequest, "'input' must be a string, a list of strings, a list of token ids or a list of token-id lists", param: "input", code: "invalid_type")
            }
        default:
            throw APIError(.badRequest, "'input' must be a non-empty string or list, got \(input.typeDescription)", param: "input", code: "invalid_type")
        }
        if let format = body["encoding_format"], !format.isNull, !["float", "base64"].contains(format.stringValue ?? "") {
            throw APIError(.badRequest, "'encoding_format' must be \"float\" or \"base64\"", param: "encoding_format", code: "invalid_value")
        }
        if let dimensions = body["dimensions"], !dimensions.isNull, (dimensions.intValue ?? 0) < 1 {
            throw APIError(.badRequest, "'dimensions' must be a whole number of at least 1", param: "dimensions", code: "invalid_value")
        }
    }

    /// The response for an engine error, with `Retry-After` when providers gave one and the
    /// skipped providers named.
    func engineErrorResponse(_ error: EngineError) -> Response {
        let api = APIError(error)
        var response = Self.json(api.wireObject, status: api.status)
        let tried = error.attempts.filter { if case .skipped = $0.outcome { false } else { true } }.count
        response.headers[Self.attemptsHeader] = String(tried)
        if let wait = error.retryAfter { response.headers[.retryAfter] = Self.retryAfterSeconds(wait) }
        response.headers.append(contentsOf: Self.skippedHeader(error.attempts))
        return response
    }
}
