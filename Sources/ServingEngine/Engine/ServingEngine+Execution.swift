import Foundation
import Synchronization

extension ServingEngine {
    /// Runs one request from arrival to its decision record. Every path ends in exactly one
    /// `finish` or `finish(throwing:)` of `events` and one recorded decision.
    func execute(_ request: ChatRequest, events: EngineEventSink) async {
        let start = ContinuousClock.now
        let id = metrics.nextRequestID()
        metrics.requestStarted()
        var record = DecisionRecord(
            id: id, receivedAt: Date(), tenant: request.tenant, origin: request.options.origin,
            promptExcerpt: Self.excerpt(request.lastUserPrompt), cache: .disabled,
            route: RouteDecision(score: 0, reasons: [], tier: "-", method: .scored), attempts: [], provider: nil,
            status: .ok, usage: TokenUsage(), costUSD: 0, frontierCostUSD: 0, latency: .zero, timeToFirstToken: nil
        )
        record.evidence = Self.arrivalEvidence(request)
        let attemptLog = AttemptLog(start: start)
        func fail(_ error: EngineError) {
            self.fail(error, record: record, attemptLog: attemptLog, events: events)
        }

        if let problem = Self.validate(request) {
            fail(EngineError(.invalidRequest, problem))
            return
        }
        var chain: [String]
        let promptVector: [Float]?
        switch await resolveRoute(request).flatMap({ applyBudget($0, to: request) }) {
        case .success(let resolved):
            record.route = resolved.decision
            record.evidence.routeThreshold = routeThreshold(for: resolved.decision)
            chain = balance(resolved.chain, tier: resolved.decision.tier)
            promptVector = resolved.promptVector
        case .failure(let error):
            fail(error)
            return
        }
        // Providers that cannot do what the request needs are skipped before anything is sent.
        let (capable, skipped) = Self.capable(chain, needs: request.capabilityNeeds, capabilities: capabilities)
        if capable.isEmpty, !skipped.isEmpty {
            fail(Self.noCapableProvider(skipped, needs: request.capabilityNeeds, tier: record.route.tier))
            return
        }
        chain = capable

        let requestID = "chatcmpl-\(requestIDPrefix)\(id)"
        // 1. Cache.
        let cacheKey: CacheStoreKey?
        switch await cacheStep(request, vector: promptVector, requestID: requestID, record: &record, attemptLog: attemptLog, events: events) {
        case .finished: return
        case .toProviders(let key): cacheKey = key
        }
        if Task.isCancelled {
            fail(EngineError(.cancelled, "the caller went away before the request was sent"))
            return
        }

        // 2–3. Cascade.
        await cascadeStep(request, chain: chain, skipped: skipped, requestID: requestID, cacheKey: cacheKey, record: record, attemptLog: attemptLog, events: events)
    }

    /// Ends a request that failed: its decision record says how, and the caller gets `error`.
    func fail(_ error: EngineError, record: DecisionRecord, attemptLog: AttemptLog, events: EngineEventSink) {
        var record = record
        record.attempts = error.attempts
        record.evidence.attempts = attemptLog.timings
        record.status = error.code == .cancelled ? .cancelled : (error.code == .interrupted ? .interrupted(error.message) : .failed(error.message))
        record.latency = .now - attemptLog.start
        metrics.recordDecision(record, now: .now)
        events.finish(throwing: error)
    }

    func replay(_ answer: SemanticCache.Answer, requestID: String, record: DecisionRecord, start: ContinuousClock.Instant, events: EngineEventSink) {
        var record = record
        record.evidence.setAnswer(Self.evidenceText(answer.choices))
        record.usage = answer.usage
        record.frontierCostUSD = frontierCost(of: answer.usage)
        record.timeToFirstToken = .now - start
        events.yield(.answering(AnswerSource(requestID: requestID, model: answer.model, provider: nil, cache: record.cache, route: record.route, attempts: [])))
        // A stream gets the stored answer in pieces; a collector gets it whole, put together as a
        // stream's reader would put it together (the same choices either way).
        let finish: FinishReason
        var whole = AnswerAccumulator()
        var responseFields = JSONObject()
        if let detail = answer.detail {
            finish = detail.choices.first?.finishReason ?? .stop
            responseFields = detail.responseFields
            if events.wantsPieces, !responseFields.isEmpty { events.yield(.responseFields(responseFields)) }
            for piece in AnswerAccumulator.pieces(of: detail.choices) {
                if events.wantsPieces { events.yield(.delta(piece)) } else { whole.add(piece) }
            }
        } else {
            finish = .stop
            if events.wantsPieces {
                for chunk in AnswerAccumulator.words(of: answer.text) { events.yield(.text(chunk)) }
            } else {
                whole.add(text: answer.text)
            }
        }
        let choices = events.wantsPieces ? [] : whole.choices(finish: finish)
        record.latency = .now - start
        metrics.recordDecision(record, now: .now)
        events.finish(finish, choices, responseFields: responseFields, usage: answer.usage, record: record)
    }

    /// What the inspector shows of an answer: its text, or the tools it called.
    static func evidenceText(_ choices: [AnswerChoice]) -> String {
        guard let choice = choices.first else { return "" }
        let calls = choice.toolCalls.map { "→ \($0.name)(\($0.arguments))" }
        return ([choice.content ?? choice.refusal ?? ""].filter { !$0.isEmpty } + calls).joined(separator: "\n")
    }

    /// Whether an answer may be stored: complete (a finished text, or a complete request to call
    /// tools when the cache stores those), with something in it.
    static func isCacheable(_ answered: Answered, storesToolCalls: Bool) -> Bool {
        guard answered.finish.isComplete, answered.choices.allSatisfy({ $0.finishReason.isComplete }) else { return false }
        if !storesToolCalls, answered.choices.contains(where: { $0.finishReason.callsTools || !$0.toolCalls.isEmpty || $0.functionCall != nil }) { return false }
        return answered.choices.contains { $0.content?.isEmpty == false || !$0.toolCalls.isEmpty || $0.functionCall != nil || $0.refusal != nil }
    }

    /// The providers of `chain` that can do all the request `needs`, and a skipped attempt for
    /// each of the others naming the first capability it lacks.
    static func capable(_ chain: [String], needs: [CapabilityNeed], capabilities: [String: Set<ProviderCapability>]) -> (capable: [String], skipped: [ProviderAttempt]) {
        guard !needs.isEmpty else { return (chain, []) }
        var capable: [String] = []
        var skipped: [ProviderAttempt] = []
        for name in chain {
            let has = capabilities[name] ?? []
            if let missing = needs.first(where: { !has.contains($0.capability) }) {
                skipped.append(ProviderAttempt(provider: name, attempt: 1, outcome: .skipped(.lacksCapability(missing.capability)), latency: .zero))
            } else {
                capable.append(name)
            }
        }
        return (capable, skipped)
    }

    static func noCapableProvider(_ skipped: [ProviderAttempt], needs: [CapabilityNeed], tier: String) -> EngineError {
        let needed = needs.map { "\($0.capability) (for \($0.field))" }.joined(separator: ", ")
        let providers = skipped.map { attempt in
            if case .skipped(let reason) = attempt.outcome { "\(attempt.provider): \(reason)" } else { attempt.provider }
        }.joined(separator: "; ")
        return EngineError(
            .noCapableProvider,
            "no provider for '\(tier)' can carry this request: it needs \(needed), and \(providers); send it to a model that can, or declare the capability in the provider's 'capabilities' if it has it",
            attempts: skipped
        )
    }

    static func validate(_ request: ChatRequest) -> String? {
        if request.messages.isEmpty { return "'messages' is empty: send at least one message with role 'user'" }
        if let maxTokens = request.sampling.maxTokens, maxTokens < 1 { return "'max_tokens' must be at least 1, got \(maxTokens)" }
        if let temperature = request.sampling.temperature, !(0...2).contains(temperature) { return "'temperature' must be between 0 and 2, got \(temperature)" }
        if let topP = request.sampling.topP, !(0...1).contains(topP) { return "'top_p' must be between 0 and 1, got \(topP)" }
        return nil
    }

    struct ResolvedRoute {
        var decision: RouteDecision
        var chain: [String]
        /// The prompt's embedding if routing computed one with the cache's embedder.
        var promptVector: [Float]? = nil
    }

    func resolveRoute(_ request: ChatRequest) async -> Result<ResolvedRoute, EngineError> {
        if let forced = request.options.forcedTier {
            guard let chain = chains[forced] else {
                return .failure(EngineError(.unknownModel, "no tier or model named '\(forced)'; choose one of: \(modelNames.joined(separator: ", "))"))
            }
            let (score, reasons) = router.score(request)
            return .success(ResolvedRoute(decision: RouteDecision(score: score, reasons: reasons, tier: forced, method: .forcedTier), chain: chain))
        }
        if request.model.isEmpty || request.model == ChatRequest.automaticModel {
            let match = await router.semanticRoute(for: request)
            if let (route, similarity) = match.route, let chain = chains[route.target] {
                let (score, reasons) = router.score(request)
                let rounded = (similarity * 1000).rounded() / 1000
                return .success(ResolvedRoute(decision: RouteDecision(score: score, reasons: reasons, tier: route.target, method: .semanticRoute(name: route.name, similarity: rounded)), chain: chain, promptVector: match.promptVector))
            }
            let decision = router.route(request)
            return .success(ResolvedRoute(decision: decision, chain: chains[decision.tier] ?? [], promptVector: match.promptVector))
        }
        guard let chain = chains[request.model] else {
            return .failure(EngineError(.unknownModel, "the model '\(request.model)' does not exist; use 'auto' or one of: \(modelNames.dropFirst().joined(separator: ", "))"))
        }
        let (score, reasons) = router.score(request)
        return .success(ResolvedRoute(decision: RouteDecision(score: score, reasons: reasons, tier: request.model, method: .explicitModel(request.model)), chain: chain))
    }

    static func error(for exhaustion: CascadeStateMachine.Exhaustion, tier: String, attempts: [ProviderAttempt]) -> EngineError {
        let tried = attempts.isEmpty ? "no provider was available" : "tried: " + attempts.map(\.summary).joined(separator: "; ")
        switch exhaustion {
        case .allProvidersFailed:
            let failures = attempts.compactMap { attempt -> ProviderFailure? in
                if case .failed(let failure) = attempt.outcome { failure } else { nil }
            }
            if !failures.isEmpty, failures.allSatisfy({ $0.kind == .rateLimited }) {
                let wait = failures.compactMap(\.retryAfter).min() ?? .seconds(1)
                return EngineError(.rateLimited, "every provider for '\(tier)' is rate limited; retry in \(DurationFormat.short(wait)) — \(tried)", attempts: attempts, retryAfter: wait)
            }
            if !failures.isEmpty, failures.allSatisfy({ $0.kind == .unsupported }) {
                // Nothing failed: no provider could carry what the request asks for.
                return EngineError(.requestRejected, "no provider for '\(tier)' can carry this request: \(failures.map(\.detail).joined(separator: "; "))", attempts: attempts)
            }
            return EngineError(.allProvidersFailed, "every provider for '\(tier)' failed — \(tried)", attempts: attempts)
        case .deadlineExceeded:
            return EngineError(.deadlineExceeded, "the request deadline passed before any provider for '\(tier)' answered — \(tried)", attempts: attempts)
        case .requestRejected(let failure):
            return EngineError(.requestRejected, "the provider refused the request: \(failure.detail) — \(tried)", attempts: attempts)
        }
    }

    static func excerpt(_ prompt: String, limit: Int = 120) -> String {
        var line = prompt.split(whereSeparator: \.isNewline).joined(separator: " ")
        if line.count > limit { line = String(line.prefix(limit - 1)) + "…" }
        return line
    }
}
