import Synchronization

/// Builds a request's ``EngineResponse`` from its events as they are yielded (by the request's
/// task and its provider attempt's), for ``ServingEngine/complete(_:)``. The first
/// `.finished` or failure settles it; events after that are ignored.
final class EngineResponseCollector: Sendable {
    private struct State {
        var source: AnswerSource?
        var answer = AnswerAccumulator()
        var fields = JSONObject()
        var outcome: Result<EngineResponse, EngineError>?
    }

    private let state = Mutex(State())
    /// Prefixes the decision's number into a response id when no source named one.
    private let requestIDPrefix: String

    init(requestIDPrefix: String) {
        self.requestIDPrefix = requestIDPrefix
    }

    /// Takes one event of the answer.
    func add(_ event: EngineStreamEvent) {
        state.withLock { state in
            guard state.outcome == nil else { return }
            switch event {
            case .answering(let answering): state.source = answering
            case .text(let chunk): state.answer.add(text: chunk)
            case .delta(let delta): state.answer.add(delta)
            case .responseFields(let more): for (key, value) in more { state.fields[key] = value }
            case .finished(let reason, let usage, let decision):
                state.outcome = .success(EngineResponse(
                    id: state.source?.requestID ?? "chatcmpl-\(requestIDPrefix)\(decision.id)", model: state.source?.model ?? "",
                    choices: state.answer.choices(finish: reason), usage: usage, responseFields: state.fields, decision: decision
                ))
            }
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
