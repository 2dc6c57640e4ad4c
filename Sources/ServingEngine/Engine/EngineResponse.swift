/// A complete answer from the engine.
public struct EngineResponse: Sendable {
    /// The request's identifier (`chatcmpl-…`).
    public var id: String
    /// The model that answered (the cache reports the model of the stored answer).
    public var model: String
    /// The answer's choices (one unless the client asked for `n` > 1), with tool calls, refusal
    /// and log probabilities as the provider gave them.
    public var choices: [AnswerChoice]
    /// Token counts.
    public var usage: TokenUsage
    /// Top-level fields of the provider's response passed on as they are (`system_fingerprint`…).
    public var responseFields: JSONObject
    /// What the engine did.
    public var decision: DecisionRecord

    /// Creates a response.
    public init(id: String, model: String, choices: [AnswerChoice], usage: TokenUsage, responseFields: JSONObject = JSONObject(), decision: DecisionRecord) {
        self.id = id
        self.model = model
        self.choices = choices
        self.usage = usage
        self.responseFields = responseFields
        self.decision = decision
    }

    /// The text of the first choice.
    public var text: String {
        choices.first?.content ?? ""
    }

    /// Why the first choice ended.
    public var finishReason: FinishReason {
        choices.first?.finishReason ?? .stop
    }
}

/// One event of a streamed answer. A stream yields `.answering` once, then `.text`, `.delta` and
/// `.responseFields` events, then `.finished`; or it throws an ``EngineError`` (before `.answering`
/// when nothing could answer, after it when the answer broke off).
public enum EngineStreamEvent: Sendable {
    /// The answer is about to start: where it comes from.
    case answering(AnswerSource)
    /// Answer text of choice 0, in order.
    case text(String)
    /// Another piece of a choice (see ``ProviderChunk/delta(_:)``).
    case delta(ChoiceDelta)
    /// Top-level response fields to pass on (see ``ProviderChunk/responseFields(_:)``).
    case responseFields(JSONObject)
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
    /// How long the answering provider took to its first piece (zero for a cache hit): with
    /// `attempts`, the part of the time to the first token that was not Switchboard's.
    public var providerTimeToFirstPiece: Duration

    /// Creates a source.
    public init(requestID: String, model: String, provider: String?, cache: CacheOutcome, route: RouteDecision, attempts: [ProviderAttempt], providerTimeToFirstPiece: Duration = .zero) {
        self.requestID = requestID
        self.model = model
        self.provider = provider
        self.cache = cache
        self.route = route
        self.attempts = attempts
        self.providerTimeToFirstPiece = providerTimeToFirstPiece
    }
}
