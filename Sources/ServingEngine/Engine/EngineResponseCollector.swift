import Synchronization

/// Builds a request's ``EngineResponse`` for ``ServingEngine/complete(_:)``: where the answer
/// comes from (`.answering`), then the whole answer when the request finishes — the attempt or
/// the cache already holds it whole, so its pieces are not gathered a second time here. The
/// first finish or failure settles it; what comes after is ignored.
final class EngineResponseCollector: Sendable {
    private struct State {
        var source: AnswerSource?
        var outcome: Result<EngineResponse, EngineError>?
    }

    private let state = Mutex(State())
    /// Prefixes the decision's number into a response id when no source named one.
    private let requestIDPrefix: String

    init(requestIDPrefix: String) {
        self.requestIDPrefix = requestIDPrefix
    }

    /// Takes one event of the answer: only `.answering` matters (the pieces come whole at the end).
    func add(_ event: EngineStreamEvent) {
        guard case .answering(let answering) = event else { return }
        state.withLock { state in
            if state.outcome == nil { state.source = answering }
        }
    }

    /// Ends the answer with its choices.
    func finish(_ choices: [AnswerChoice], responseFields: JSONObject, usage: TokenUsage, record: DecisionRecord) {
        state.withLock { state in
            guard state.outcome == nil else { return }
            state.outcome = .success(EngineResponse(
                id: state.source?.requestID ?? "chatcmpl-\(requestIDPrefix)\(record.id)", model: state.source?.model ?? "",
                choices: choices, usage: usage, responseFields: responseFields, decision: record
            ))
        }
    }

    /// Ends the answer with `error`.
    func fail(_ error: EngineError) {
        state.withLock { state in
            if state.outcome == nil { state.outcome = .failure(error) }
        }
    }

    /// The finished response, or the error the request ended with.
    /// - Throws: that error, or `cancelled` when the request's run ended with neither.
    func response() throws(EngineError) -> EngineResponse {
        let outcome = state.withLock { $0.outcome }
        switch outcome {
        case .success(let response): return response
        case .failure(let error): throw error
        case nil: throw EngineError(.cancelled, "the request was cancelled before it finished")
        }
    }
}
