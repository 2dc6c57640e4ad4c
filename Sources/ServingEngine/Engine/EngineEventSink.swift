/// Where one request's events go: the continuation of a stream its caller reads
/// (``ServingEngine/stream(_:)``), or straight into the response being collected
/// (``ServingEngine/complete(_:)``), which needs no stream, no buffer of events and no reader to
/// resume for each piece.
///
/// A request's run ends in exactly one ``finish(_:_:responseFields:usage:record:)`` or
/// ``finish(throwing:)``; what comes after that is dropped, as a finished stream drops it.
struct EngineEventSink: Sendable {
    private enum Target: Sendable {
        case stream(AsyncThrowingStream<EngineStreamEvent, any Error>.Continuation)
        case collector(EngineResponseCollector)
    }

    private let target: Target

    /// Events go to the stream `continuation` feeds.
    static func stream(_ continuation: AsyncThrowingStream<EngineStreamEvent, any Error>.Continuation) -> Self {
        Self(target: .stream(continuation))
    }

    /// Events go into `collector`.
    static func collecting(into collector: EngineResponseCollector) -> Self {
        Self(target: .collector(collector))
    }

    /// Whether the answer's pieces are wanted as they come: a stream's reader wants them; a
    /// collector takes the whole answer when it finishes, so a stored answer need not be cut
    /// into pieces for it.
    var wantsPieces: Bool {
        if case .stream = target { return true }
        return false
    }

    /// Passes an event on (a collector keeps only `.answering`).
    func yield(_ event: EngineStreamEvent) {
        switch target {
        case .stream(let continuation): continuation.yield(event)
        case .collector(let collector): collector.add(event)
        }
    }

    /// Ends the request with its whole answer: a stream, which had the pieces, gets `.finished`
    /// (and may be given no `choices`); a collector gets the response.
    func finish(_ reason: FinishReason, _ choices: [AnswerChoice], responseFields: JSONObject, usage: TokenUsage, record: DecisionRecord) {
        switch target {
        case .stream(let continuation):
            continuation.yield(.finished(reason, usage, record))
            continuation.finish()
        case .collector(let collector):
            collector.finish(choices, responseFields: responseFields, usage: usage, record: record)
        }
    }

    /// Ends the request's events with `error`.
    func finish(throwing error: EngineError) {
        switch target {
        case .stream(let continuation): continuation.finish(throwing: error)
        case .collector(let collector): collector.fail(error)
        }
    }
}
