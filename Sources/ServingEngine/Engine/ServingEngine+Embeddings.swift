extension ServingEngine {
    /// Answers a `/v1/embeddings` request through the cascade: the named tier, alias or provider
    /// (or, for `auto`, the first tier with a provider that can embed), providers without the
    /// `embeddings` capability skipped, with the same timeouts, retries, breakers and metering as
    /// chat. Embeddings are not cached.
    public func embed(_ request: EmbeddingRequest) async throws(EngineError) -> EmbeddingResponse {
        let start = ContinuousClock.now
        let id = metrics.nextRequestID()
        metrics.requestStarted()
        var record = DecisionRecord(
            id: id, receivedAt: .now, tenant: request.tenant, origin: request.origin,
            promptExcerpt: Self.excerpt("[embeddings] " + request.excerpt), cache: .disabled,
            route: RouteDecision(score: 0, reasons: [], tier: request.model, method: .explicitModel(request.model)), attempts: [], provider: nil,
            status: .ok, usage: TokenUsage(), costUSD: 0, frontierCostUSD: 0, latency: .zero, timeToFirstToken: nil
        )
        record.endpoint = .embeddings
        func fail(_ error: EngineError) -> EngineError {
            record.attempts = error.attempts
            record.status = error.code == .cancelled ? .cancelled : .failed(error.message)
            record.latency = .now - start
            metrics.recordDecision(record, now: .now)
            return error
        }
        let routeName: String
        if request.model.isEmpty || request.model == ChatRequest.automaticModel {
            guard let tier = configuration.tiers.first(where: { tier in tier.chain.contains { capabilities[$0]?.contains(.embeddings) == true } }) else {
                throw fail(EngineError(.noCapableProvider, "no tier has a provider that can embed; give one an 'embeddings' capability (openai-compatible providers have it by default)"))
            }
            routeName = tier.name
        } else {
            routeName = request.model
        }
        guard let chain = chains[routeName] else {
            throw fail(EngineError(.unknownModel, "the model '\(request.model)' does not exist; use 'auto' or one of: \(modelNames.dropFirst().joined(separator: ", "))"))
        }
        record.route.tier = routeName
        let needs = [CapabilityNeed(.embeddings, field: "model")]
        var (capable, skipped) = Self.capable(balance(chain, tier: routeName), needs: needs, capabilities: capabilities)
        guard !capable.isEmpty else { throw fail(Self.noCapableProvider(skipped, needs: needs, tier: routeName)) }
        switch embeddingBudget(capable, tier: routeName, tenant: request.tenant) {
        case .success(let budgeted?):
            capable = budgeted.chain
            record.route.tier = budgeted.tier
            record.route.budget = budgeted.note
            TenantPass.current.flatMap { $0.tenant == request.tenant ? $0 : nil }?.markSteered(budgeted.note)
        case .success(nil):
            break
        case .failure(let error):
            tenants.countBudgetRefusal(request.tenant, limit: tenants.standing(request.tenant)?.limit ?? .dailyBudget)
            throw fail(error)
        }

        let deadline = start + configuration.resilience.deadline
        var machine = CascadeStateMachine(chain: capable, policy: configuration.resilience.retry, deadline: deadline) { self.timeout(for: $0) }
        let providerRequest = EmbeddingProviderRequest(parameters: request.parameters, requestID: "emb-\(requestIDPrefix)\(id)")
        while true {
            switch machine.next(now: .now, admit: { health.admit($0, now: .now) }) {
            case .wait(let delay):
                do { try await Task.sleep(for: delay) } catch {
                    throw fail(EngineError(.cancelled, "the caller went away during a retry backoff", attempts: skipped + machine.trail))
                }
            case .exhausted(let exhaustion):
                throw fail(Self.error(for: exhaustion, tier: routeName, attempts: skipped + machine.trail))
            case .attempt(let name, _, let timeout, let isProbe):
                guard let provider = providers[name] as? any EmbeddingProvider else {
                    let failure = ProviderFailure(.unsupported, "\(name) has no embeddings endpoint")
                    machine.attemptFailed(failure, latency: .zero, now: .now, random: 0)
                    continue
                }
                let attemptStart = ContinuousClock.now
                let result = await Self.embedding(provider, providerRequest, timeout: min(timeout, deadline - attemptStart))
                let now = ContinuousClock.now
                let latency = now - attemptStart
                switch result {
                case .success(let answer):
                    _ = health.finish(name, failure: nil, cancelled: false, isProbe: isProbe, latency: latency, now: now)
                    machine.attemptSucceeded(latency: latency)
                    let cost = cost(of: answer.usage, provider: name)
                    metrics.recordAttempt(machine.trail[machine.trail.count - 1], cost: cost, now: now)
                    record.attempts = skipped + machine.trail
                    record.provider = name
                    record.usage = answer.usage
                    record.costUSD = cost
                    record.latency = now - start
                    metrics.recordDecision(record, now: now)
                    return EmbeddingResponse(body: answer.body, usage: answer.usage, decision: record)
                case .failure(let failure):
                    if failure.kind == .timeout, Task.isCancelled {
                        _ = health.finish(name, failure: nil, cancelled: true, isProbe: isProbe, now: now)
                        throw fail(EngineError(.cancelled, "the caller went away while \(name) was embedding", attempts: skipped + machine.trail))
                    }
                    _ = health.finish(name, failure: failure, cancelled: false, isProbe: isProbe, latency: latency, now: now)
                    machine.attemptFailed(failure, latency: latency, now: now, random: randomUnit())
                    metrics.recordAttempt(machine.trail[machine.trail.count - 1], cost: 0, now: now)
                }
            }
        }
    }

    /// One embeddings call, given up (not awaited) after `timeout`; a cancelled caller is a
    /// timeout the caller then tells apart by `Task.isCancelled`.
    static func embedding(_ provider: any EmbeddingProvider, _ request: EmbeddingProviderRequest, timeout: Duration) async -> Result<EmbeddingProviderResponse, ProviderFailure> {
        let limit = max(.zero, timeout)
        do {
            return .success(try await within(limit, timedOut: ProviderFailure(.timeout, "\(provider.name): no embeddings within \(DurationFormat.short(limit))")) {
                try await provider.embed(request)
            })
        } catch let failure as ProviderFailure {
            return .failure(failure)
        } catch is CancellationError {
            return .failure(ProviderFailure(.timeout, "\(provider.name): the embeddings call was cancelled"))
        } catch {
            return .failure(ProviderFailure(.badResponse, "\(provider.name): \(error)"))
        }
    }

    /// The budget step for embeddings: with the tenant's budget spent (or a `refuse` step
    /// reached, or the fleet failing closed while the database is away) only zero-price
    /// providers that can embed may answer — those of `chain`, else those of the cheapest tier
    /// that has any — and with none the request is `insufficient_quota`. Nil: the chain stands.
    func embeddingBudget(_ chain: [String], tier: String, tenant: String) -> Result<(chain: [String], tier: String, note: BudgetNote)?, EngineError> {
        guard let standing = tenants.standing(tenant) else { return .success(nil) }
        let refuseStep = if case .refuse? = standing.step?.action { true } else { false }
        let heldClosed = tenants.budgetHeldClosed(tenant)
        guard standing.isSpent || refuseStep || heldClosed else { return .success(nil) }
        if heldClosed { tenants.countFailedClosed(tenant) }
        let canEmbed = { (name: String) in self.isFree(name) && self.capabilities[name]?.contains(.embeddings) == true }
        var free = chain.filter(canEmbed)
        var freeTier = tier
        if free.isEmpty, let cheapest = configuration.tiers.first(where: { $0.chain.contains(where: canEmbed) }) {
            free = balance(cheapest.chain, tier: cheapest.name).filter(canEmbed)
            freeTier = cheapest.name
        }
        guard !free.isEmpty else {
            let message = heldClosed ? Self.heldClosedMessage(tenant, verb: "embed") : budgetMessage(tenant, standing, refuseStep: refuseStep, verb: "embed")
            return .failure(EngineError(.insufficientQuota, message))
        }
        let note = BudgetNote(usedPercent: standing.usedPercent, fromTier: tier, effect: .freeProvidersOnly(free), reason: heldClosed ? Self.heldClosedReason : nil)
        return .success((free, freeTier, note))
    }
}
