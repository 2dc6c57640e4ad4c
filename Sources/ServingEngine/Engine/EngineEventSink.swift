/// Where one request's events go: the continuation of a stream its caller reads
/// (``ServingEngine/stream(_:)``), or straight into the response being collected
/// (``ServingEngine/complete(_:)``), which needs no stream, no buffer of events and no reader to
/// resume for each piece.
///
/// A request's run ends in exactly one ``finish()`` (after `.finished`) or
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

    /// Passes an event on.
    func yield(_ event: EngineStreamEvent) {
        switch target {
        case .stream(let continuation): continuation.yield(event)
        case .collector(let collector): collector.add(event)
        }
    }

    /// Ends the request's events after its `.finished`.
    func finish() {
        switch target {
        case .stream(let continuation): continuation.finish()
        case .collector: break  // `.finished` completed the response
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
