import Synchronization

extension ServingEngine {
    /// How much longer than an embedder's own timeout the engine waits before abandoning it: the
    /// embedder should give up first and say why; this only catches one that does not.
    static let embedderGrace: Duration = .milliseconds(50)

    /// The cache's lookup, abandoned (not awaited) when an embedder with a timeout runs past it,
    /// so a stalled embedding backend costs a miss of bounded latency, never a stalled request.
    /// A `vector` the router already computed with the cache's embedder is used as it is.
    func boundedLookup(_ cache: SemanticCache, _ request: ChatRequest, vector: [Float]? = nil) async throws -> SemanticCache.Lookup {
        guard vector == nil, let timeout = cache.embedder.timeout else { return try await cache.lookup(request, vector: vector) }
        return try await Self.within(timeout + Self.embedderGrace, embedder: cache.embedder.name) { try await cache.lookup(request) }
    }

    /// ``boundedLookup(_:_:vector:)`` with the candidate the hit rule judged (see ``SemanticCache/explainedLookup(_:vector:now:)``).
    func boundedExplainedLookup(_ cache: SemanticCache, _ request: ChatRequest, vector: [Float]? = nil) async throws -> (lookup: SemanticCache.Lookup, candidate: CacheCandidate?) {
        guard vector == nil, let timeout = cache.embedder.timeout else { return try await cache.explainedLookup(request, vector: vector) }
        let result = try await Self.within(timeout + Self.embedderGrace, embedder: cache.embedder.name) { try await ExplainedLookup(cache.explainedLookup(request)) }
        return (result.lookup, result.candidate)
    }

    /// ``SemanticCache/key(for:vector:)`` under the same bound.
    func boundedKey(_ cache: SemanticCache, _ request: ChatRequest, vector: [Float]? = nil) async throws -> SemanticCache.Key {
        guard vector == nil, let timeout = cache.embedder.timeout else { return try await cache.key(for: request, vector: vector) }
        return try await Self.within(timeout + Self.embedderGrace, embedder: cache.embedder.name) { try await cache.key(for: request) }
    }

    /// The reason recorded with ``CacheOutcome/unavailable(reason:)``.
    static func embedderFailureReason(_ error: any Error, embedder: any Embedder) -> String {
        "the \(embedder.name) embedder failed, so the cache was skipped: \(error)"
    }

    /// Runs `operation` in its own task and returns its result, or throws ``EmbedderTimeout``
    /// after `limit` without waiting for it (it is cancelled and left to finish on its own).
    /// Cancelling the caller cancels the operation and throws `CancellationError` at once.
    static func within<T: Sendable>(_ limit: Duration, embedder: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await within(limit, timedOut: EmbedderTimeout(embedder: embedder, limit: limit), operation)
    }

    /// ``within(_:embedder:_:)`` with the error thrown at the limit given: `timedOut`.
    static func within<T: Sendable>(_ limit: Duration, timedOut: any Error & Sendable, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                race.start(continuation)
                let work = Task {
                    let result: Result<T, any Error>
                    do { result = .success(try await operation()) } catch { result = .failure(error) }
                    race.finish(result)
                }
                let timer = Task {
                    try? await Task.sleep(for: limit)
                    if !Task.isCancelled { race.finish(.failure(timedOut)) }
                }
                race.attach(work: work, timer: timer)
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }
}

/// An embedder ran past its timeout and was abandoned.
package struct EmbedderTimeout: Error, Sendable, CustomStringConvertible {
    /// The embedder's name.
    package var embedder: String
    /// The time it had.
    package var limit: Duration

    package var description: String {
        "\(embedder) did not answer within \(Int(limit.milliseconds.rounded())) ms and was abandoned"
    }
}

/// The first of an operation's result, a timeout and the caller's cancellation resumes the
/// continuation; the others find it gone. Whatever ends the race cancels both tasks.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var pending: Result<T, any Error>?
        var done = false
        var tasks: [Task<Void, Never>] = []
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLock { state in
            if let pending = state.pending { return pending }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func attach(work: Task<Void, Never>, timer: Task<Void, Never>) {
        let finished = state.withLock { state in
            if !state.done { state.tasks = [work, timer] }
            return state.done
        }
        if finished {
            work.cancel()
            timer.cancel()
        }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, tasks): (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) = state.withLock { state in
            guard !state.done else { return (nil, []) }
            state.done = true
            defer { state.continuation = nil; state.tasks = [] }
            if state.continuation == nil { state.pending = result }
            return (state.continuation, state.tasks)
        }
        continuation?.resume(with: result)
        for task in tasks { task.cancel() }
    }
}

/// A lookup and its candidate as one sendable value (tuples cannot cross ``ServingEngine/within(_:embedder:_:)``'s generic).
private struct ExplainedLookup: Sendable {
    var lookup: SemanticCache.Lookup
    var candidate: CacheCandidate?

    init(_ pair: (lookup: SemanticCache.Lookup, candidate: CacheCandidate?)) {
        lookup = pair.lookup
        candidate = pair.candidate
    }
}
