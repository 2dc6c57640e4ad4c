import Foundation

extension ServingEngine {
    /// What the cache step leaves for the providers.
    enum CacheStepOutcome {
        /// The request has ended: answered from the cache, or failed (the caller went away).
        case finished
        /// The providers must answer; store the answer under this key, when there is one.
        case toProviders(storeUnder: CacheStoreKey?)
    }

    /// Step 1 of ``execute(_:events:)``: looks the request up in the cache (exact, then
    /// semantic) and replays a hit; on a miss or a bypass, says the key to store the answer under.
    /// A broken embedder costs a miss (``CacheOutcome/unavailable(reason:)``), never the request.
    ///
    /// - Parameters:
    ///   - vector: the prompt's embedding, when routing computed one with the cache's embedder.
    ///   - record: the request's decision record, given its cache outcome here.
    func cacheStep(
        _ request: ChatRequest, vector promptVector: [Float]?, requestID: String,
        record: inout DecisionRecord, attemptLog: AttemptLog, events: EngineEventSink
    ) async -> CacheStepOutcome {
        guard let cache else { return .toProviders(storeUnder: nil) }
        var cacheKey: CacheStoreKey?
        if request.options.cacheLookup {
            do {
                let explained: (lookup: SemanticCache.Lookup, candidate: CacheCandidate?)
                switch try await budgetedLookup(cache, request, vector: promptVector) {
                case .inTime(let lookup, let candidate):
                    explained = (lookup, candidate)
                case .late(let budget, let key):
                    record.cache = .unavailable(reason: Self.lookupBudgetReason(budget, embedder: cache.embedder))
                    return .toProviders(storeUnder: .pending(key))
                }
                record.evidence.cacheCandidates = explained.candidate.map { [$0] } ?? []
                switch explained.lookup {
                case .exact(let answer):
                    record.cache = .exact
                    replay(answer, requestID: requestID, record: record, start: attemptLog.start, events: events)
                    return .finished
                case .semantic(let answer, let similarity, let matched):
                    record.cache = .semantic(similarity: similarity, matchedPrompt: matched)
                    replay(answer, requestID: requestID, record: record, start: attemptLog.start, events: events)
                    return .finished
                case .miss(let key, let best):
                    record.cache = .miss(bestSimilarity: best)
                    cacheKey = .ready(key)
                }
            } catch is CancellationError {
                fail(EngineError(.cancelled, "the caller went away during the cache lookup"), record: record, attemptLog: attemptLog, events: events)
                return .finished
            } catch {
                // The cache fails open: a broken embedder costs a miss, never a request.
                record.cache = .unavailable(reason: Self.embedderFailureReason(error, embedder: cache.embedder))
            }
        } else {
            record.cache = .bypass
            if request.options.cacheStore { cacheKey = (try? await boundedKey(cache, request, vector: promptVector)).map(CacheStoreKey.ready) }
        }
        return .toProviders(storeUnder: cacheKey)
    }

    /// What ``budgetedLookup(_:_:vector:)`` found.
    enum BudgetedLookup {
        /// The lookup ran to its end.
        case inTime(SemanticCache.Lookup, candidate: CacheCandidate?)
        /// No exact match, and the embedding was not done within `budget`: the key it will give.
        case late(budget: Duration, key: Task<SemanticCache.Key, any Error>)
    }

    /// ``boundedExplainedLookup(_:_:vector:)``, but when the cache has a lookup budget and the
    /// prompt is not embedded yet, the exact match is tried first and the embedding awaited only
    /// for the budget; past it the embedding goes on in a task of its own, for the answer's key.
    func budgetedLookup(_ cache: SemanticCache, _ request: ChatRequest, vector promptVector: [Float]?) async throws -> BudgetedLookup {
        guard let budget = cache.settings.lookupBudget, promptVector == nil else {
            let explained = try await boundedExplainedLookup(cache, request, vector: promptVector)
            return .inTime(explained.lookup, candidate: explained.candidate)
        }
        let probe = SemanticCache.Probe(request)
        if let exact = cache.exactMatch(probe) { return .inTime(.exact(exact.answer), candidate: exact.candidate) }
        let text = probe.normalized
        let embedder = cache.embedder
        let limit = embedder.timeout.map { $0 + Self.embedderGrace }
        // Unstructured on purpose: it must outlive this request's wait for it.
        let embedding = Task {
            guard let limit else { return try await embedder.embed(text) }
            return try await Self.within(limit, embedder: embedder.name) { try await embedder.embed(text) }
        }
        let vector: [Float]
        do {
            vector = try await Self.within(budget, timedOut: LookupBudgetExceeded()) { try await embedding.value }
        } catch is LookupBudgetExceeded {
            return .late(budget: budget, key: Task { probe.key(vector: try await embedding.value) })
        } catch {
            embedding.cancel()
            throw error
        }
        let explained = cache.semanticLookup(probe, vector: vector)
        return .inTime(explained.lookup, candidate: explained.candidate)
    }

    /// The reason recorded with ``CacheOutcome/unavailable(reason:)`` when the lookup budget ran out.
    static func lookupBudgetReason(_ budget: Duration, embedder: any Embedder) -> String {
        "the \(embedder.name) embedding was not done within the cache's lookup budget (\(Int(budget.milliseconds.rounded())) ms), so the request went on as a miss; its answer is stored once the embedding is"
    }
}

/// The lookup budget ran out before the embedding was done (never leaves the engine).
struct LookupBudgetExceeded: Error {}
