import Foundation

extension ServingEngine {
    /// Steps 2–3 of ``execute(_:events:)``: walks `chain` with the cascade's state machine
    /// (admission by the health board, timeouts, retries with backoff, the request deadline)
    /// until a provider answers, and stores a complete answer under `cacheKey`. Ends the request
    /// either way: its one decision record, and `events` finished.
    ///
    /// - Parameters:
    ///   - chain: the providers to try, in order, already balanced and filtered by capability.
    ///   - skipped: the providers left out for lacking a capability, reported with the attempts.
    ///   - cacheKey: where to store the answer; nil when it must not be stored.
    func cascadeStep(
        _ request: ChatRequest, chain: [String], skipped: [ProviderAttempt], requestID: String, cacheKey: CacheStoreKey?,
        record: DecisionRecord, attemptLog: AttemptLog, events: EngineEventSink
    ) async {
        var record = record
        var attemptLog = attemptLog
        let start = attemptLog.start
        let deadline = start + configuration.resilience.deadline
        let timeouts = Dictionary(uniqueKeysWithValues: chain.map { ($0, timeout(for: $0)) })
        var machine = CascadeStateMachine(chain: chain, policy: configuration.resilience.retry, deadline: deadline) { timeouts[$0] ?? .seconds(10) }
        let providerRequest = ProviderRequest(messages: request.messages, parameters: request.parameters, requestID: requestID, clientStreams: request.stream)

        while true {
            let action = machine.next(now: .now) { health.admit($0, now: .now) }
            switch action {
            case .wait(let delay):
                attemptLog.waited(delay)
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    fail(EngineError(.cancelled, "the caller went away during a retry backoff", attempts: skipped + machine.trail), record: record, attemptLog: attemptLog, events: events)
                    return
                }
            case .exhausted(let exhaustion):
                fail(budgetRefusal(record.route, tenant: request.tenant) ?? Self.error(for: exhaustion, tier: record.route.tier, attempts: skipped + machine.trail), record: record, attemptLog: attemptLog, events: events)
                return
            case .attempt(let name, _, let timeout, let isProbe):
                guard let provider = providers[name] else {
                    machine.attemptFailed(ProviderFailure(.providerRejected, "\(name) is not available in this process"), latency: .zero, now: .now, random: 0)
                    continue
                }
                let attemptStart = ContinuousClock.now
                attemptLog.started(name, breaker: breakerWord(name, isProbe: isProbe), at: attemptStart)
                let source = AnswerSource(requestID: requestID, model: provider.model, provider: name, cache: record.cache, route: record.route, attempts: skipped + machine.trail)
                let result = await runAttempt(provider, providerRequest, timeout: timeout, deadline: deadline, source: source, requestStart: start, events: events)
                let now = ContinuousClock.now
                let latency = now - attemptStart
                switch result {
                case .answered(let answered):
                    finishAttempt(name, failure: nil, isProbe: isProbe, latency: latency, now: now)
                    machine.attemptSucceeded(latency: latency)
                    record.attempts = skipped + machine.trail
                    attemptLog.firstToken(sinceRequestStart: answered.timeToFirstToken)
                    finishAnswered(answered, by: name, provider, request, cacheKey: cacheKey, attempt: machine.trail[machine.trail.count - 1], record: record, attemptLog: attemptLog, now: now, events: events)
                    return
                case .failed(let failure, let tokensSent):
                    finishAttempt(name, failure: failure, isProbe: isProbe, latency: latency, now: now)
                    machine.attemptFailed(failure, latency: latency, now: now, random: randomUnit())
                    metrics.recordAttempt(machine.trail[machine.trail.count - 1], cost: 0, now: now)
                    if tokensSent > 0 {
                        record.provider = name
                        fail(EngineError(.interrupted, "the answer from \(name) broke off after \(tokensSent) chunks: \(failure.detail); the text received so far is incomplete", attempts: skipped + machine.trail), record: record, attemptLog: attemptLog, events: events)
                        return
                    }
                case .cancelled:
                    _ = health.finish(name, failure: nil, cancelled: true, isProbe: isProbe, now: now)
                    fail(EngineError(.cancelled, "the caller went away while \(name) was answering", attempts: skipped + machine.trail), record: record, attemptLog: attemptLog, events: events)
                    return
                }
            }
        }
    }

    /// Ends a request the provider `name` answered: its cost, its decision record, the answer stored
    /// under `cacheKey` when it may be (and shared with the fleet), and the final event.
    private func finishAnswered(
        _ answered: Answered, by name: String, _ provider: any ModelProvider, _ request: ChatRequest, cacheKey: CacheStoreKey?, attempt: ProviderAttempt,
        record: DecisionRecord, attemptLog: AttemptLog, now: ContinuousClock.Instant, events: EngineEventSink
    ) {
        var record = record
        let usage = answered.usage
        let cost = cost(of: usage, provider: name)
        metrics.recordAttempt(attempt, cost: cost, now: now)
        record.provider = name
        record.usage = usage
        record.costUSD = cost
        record.frontierCostUSD = frontierCost(of: usage)
        record.timeToFirstToken = answered.timeToFirstToken
        record.evidence.attempts = attemptLog.timings
        record.evidence.setAnswer(Self.evidenceText(answered.choices))
        record.latency = now - attemptLog.start
        if let cache, let cacheKey, request.options.cacheStore, Self.isCacheable(answered, storesToolCalls: cache.settings.storesToolCalls) {
            let answer = SemanticCache.Answer(choices: answered.choices, responseFields: answered.responseFields, usage: usage, provider: name, model: provider.model)
            switch cacheKey {
            case .ready(let key):
                cache.store(answer, for: key)
                shareStored(answer, key: key)
            case .pending(let key):
                Task {
                    guard let key = try? await key.value else { return }
                    cache.store(answer, for: key)
                    self.shareStored(answer, key: key)
                }
            }
        }
        metrics.recordDecision(record, now: now)
        events.finish(answered.finish, answered.choices, responseFields: answered.responseFields, usage: usage, record: record)
    }

    private func finishAttempt(_ provider: String, failure: ProviderFailure?, isProbe: Bool, latency: Duration, now: ContinuousClock.Instant) {
        guard let transition = health.finish(provider, failure: failure, cancelled: false, isProbe: isProbe, latency: latency, now: now) else { return }
        let message = switch transition {
        case .opened(let reason): "\(provider) circuit opened: \(reason)"
        case .closed: "\(provider) circuit closed: probe succeeded"
        }
        metrics.recordEvent(EngineEvent(kind: .breaker, message: message))
    }
}
