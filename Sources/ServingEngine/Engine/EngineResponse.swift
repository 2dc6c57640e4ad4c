/// A complete answer from the engine.
public struct EngineResponse: Sendable {
    /// The request's identifier (`chatcmpl-…`).
    public var id: String
    /// The model that answered (the cache reports the model of the stored answer).
    public var model: String
    /// The answer text.
    public var text: String
    /// Why the answer ended.
    public var finishReason: FinishReason
    /// Token counts.
    public var usage: TokenUsage
    /// What the engine did.
    public var decision: DecisionRecord

    /// Creates a response.
    public init(id: String, model: String, text: String, finishReason: FinishReason, usage: TokenUsage, decision: DecisionRecord) {
        self.id = id
        self.model = model
        self.text = text
        self.finishReason = finishReason
        self.usage = usage
        self.decision = decision
    }
}

/// One event of a streamed answer. A stream yields `.answering` once, then `.text` chunks, then
/// `.finished`; or it throws an ``EngineError`` (before `.answering` when nothing could answer,
/// after it when the answer broke off).
public enum EngineStreamEvent: Sendable {
    /// The answer is about to start: where it comes from.
    case answering(AnswerSource)
    /// Answer text, in order.
    case text(String)
    /// The answer is complete.
    case finished(FinishReason, TokenUsage, DecisionRecord)
}

/// Where a streamed answer comes from, known before its first token is passed on.
public struct AnswerSource: Sendable {
    /// The request's identifier (`chatcmpl-…`).
    public var requestID: String
    /// The model answering.
    public var model: String
    /// The provider answering, or nil for a cache hit.
    public var provider: String?
    /// What the cache said.
    public var cache: CacheOutcome
    /// The route taken.
    public var route: RouteDecision
    /// Providers tried or skipped before this one.
    public var attempts: [ProviderAttempt]

    /// Creates a source.
    public init(requestID: String, model: String, provider: String?, cache: CacheOutcome, route: RouteDecision, attempts: [ProviderAttempt]) {
        self.requestID = requestID
        self.model = model
        self.provider = provider
        self.cache = cache
        self.route = route
        self.attempts = attempts
    }
}
