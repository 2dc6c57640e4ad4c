import Foundation

extension ServingEngine {
    /// What the cache step leaves for the providers.
    enum CacheStepOutcome {
        /// The request has ended: answered from the cache, or failed (the caller went away).
        case finished
        /// The providers must answer; store the answer under this key, when there is one.
        case toProviders(storeUnder: SemanticCache.Key?)
    }

    /// Step 1 of ``execute(_:continuation:)``: looks the request up in the cache (exact, then
    /// semantic) and replays a hit; on a miss or a bypass, says the key to store the answer under.
    /// A broken embedder costs a miss (``CacheOutcome/unavailable(reason:)``), never the request.
    ///
    /// - Parameters:
    ///   - vector: the prompt's embedding, when routing computed one with the cache's embedder.
    ///   - record: the request's decision record, given its cache outcome here.
    func cacheStep(
        _ request: ChatRequest, vector promptVector: [Float]?, requestID: String,
        record: inout DecisionRecord, attemptLog: AttemptLog, continuation: Continuation
    ) async -> CacheStepOutcome {
        guard let cache else { return .toProviders(storeUnder: nil) }
        var cacheKey: SemanticCache.Key?
        if request.options.cacheLookup {
            do {
                let explained = try await boundedExplainedLookup(cache, request, vector: promptVector)
                record.evidence.cacheCandidates = explained.candidate.map { [$0] } ?? []
                switch explained.lookup {
                case .exact(let answer):
                    record.cache = .exact
                    replay(answer, requestID: requestID, record: record, start: attemptLog.start, continuation: continuation)
                    return .finished
                case .semantic(let answer, let similarity, let matched):
                    record.cache = .semantic(similarity: similarity, matchedPrompt: matched)
                    replay(answer, requestID: requestID, record: record, start: attemptLog.start, continuation: continuation)
                    return .finished
                case .miss(let key, let best):
                    record.cache = .miss(bestSimilarity: best)
                    cacheKey = key
                }
            } catch is CancellationError {
                fail(EngineError(.cancelled, "the caller went away during the cache lookup"), record: record, attemptLog: attemptLog, continuation: continuation)
                return .finished
            } catch {
                // The cache fails open: a broken embedder costs a miss, never a request.
                record.cache = .unavailable(reason: Self.embedderFailureReason(error, embedder: cache.embedder))
            }
        } else {
            record.cache = .bypass
            if request.options.cacheStore { cacheKey = try? await boundedKey(cache, request, vector: promptVector) }
        }
        return .toProviders(storeUnder: cacheKey)
    }
}
