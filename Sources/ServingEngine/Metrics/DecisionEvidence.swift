
/// The evidence behind one decision that the request inspector shows and writes out: the whole
/// prompt and its cache scope, the cache candidate the hit rule judged, the threshold the router
/// compared against, each attempt's timing and breaker state, and the head of the answer.
///
/// The engine fills it in as the request runs; it is bounded (prompt and answer are cut at
/// ``promptLimit`` and ``answerLimit`` characters) so that the activity log's memory stays flat.
public struct DecisionEvidence: Sendable, Hashable, Codable {
    /// The most prompt characters kept.
    public static let promptLimit = 8_000
    /// The most answer characters kept.
    public static let answerLimit = 600

    /// The last user prompt, up to ``promptLimit`` characters.
    public var prompt: String
    /// Whether ``prompt`` was cut.
    public var promptTruncated: Bool
    /// The model or route the client asked for.
    public var requestedModel: String
    /// What else decides whether a stored answer fits, in words: model, system prompt, earlier turns, sampling.
    public var scope: String
    /// The candidates the cache compared (the exact match, or the nearest entry in scope that the hit rule judged).
    public var cacheCandidates: [CacheCandidate]
    /// The highest score the chosen tier takes, when the router scored the prompt (nil for forced or named tiers).
    public var routeThreshold: Double?
    /// Each call the cascade made, in order, with its timing.
    public var attempts: [AttemptTiming]
    /// The start of the answer, up to ``answerLimit`` characters.
    public var answerHead: String

    /// Creates evidence.
    public init(prompt: String = "", promptTruncated: Bool = false, requestedModel: String = "", scope: String = "", cacheCandidates: [CacheCandidate] = [], routeThreshold: Double? = nil, attempts: [AttemptTiming] = [], answerHead: String = "") {
        self.prompt = prompt
        self.promptTruncated = promptTruncated
        self.requestedModel = requestedModel
        self.scope = scope
        self.cacheCandidates = cacheCandidates
        self.routeThreshold = routeThreshold
        self.attempts = attempts
        self.answerHead = answerHead
    }

    /// Keeps the start of `text`, up to `limit` characters.
    static func head(_ text: String, limit: Int) -> (String, Bool) {
        text.count > limit ? (String(text.prefix(limit)), true) : (text, false)
    }

    /// Sets ``answerHead`` from the full answer.
    mutating func setAnswer(_ text: String) {
        answerHead = Self.head(text, limit: Self.answerLimit).0
    }
}

/// One stored prompt the cache weighed for a request, and what the hit rule made of it.
public struct CacheCandidate: Sendable, Hashable, Codable {
    /// The stored prompt.
    public var prompt: String
    /// Its cosine similarity to the request's prompt (1 for an exact match).
    public var similarity: Double
    /// The verifier's probability that the two ask the same thing, under the verified rule.
    public var verifierProbability: Double?
    /// Whether its answer was served.
    public var taken: Bool
    /// Why it was taken or refused, e.g. `cosine 0.91 < threshold 0.95`.
    public var reason: String

    /// Creates a candidate.
    public init(prompt: String, similarity: Double, verifierProbability: Double?, taken: Bool, reason: String) {
        self.prompt = prompt
        self.similarity = similarity
        self.verifierProbability = verifierProbability
        self.taken = taken
        self.reason = reason
    }
}

/// When one provider call started and how it went, beside its ``ProviderAttempt``.
public struct AttemptTiming: Sendable, Hashable, Codable {
    /// The provider.
    public var provider: String
    /// Which call to this provider it was, from 1.
    public var attempt: Int
    /// From the request's arrival to the call's start.
    public var startOffset: Duration
    /// From the call's start to its first answer text, if any came.
    public var timeToFirstToken: Duration?
    /// The provider's breaker as the call was admitted: `closed`, `half-open probe` or `forced up`.
    public var breaker: String
    /// The retry backoff waited just before this call, if any.
    public var backoff: Duration?

    /// Creates a timing.
    public init(provider: String, attempt: Int, startOffset: Duration, timeToFirstToken: Duration? = nil, breaker: String, backoff: Duration? = nil) {
        self.provider = provider
        self.attempt = attempt
        self.startOffset = startOffset
        self.timeToFirstToken = timeToFirstToken
        self.breaker = breaker
        self.backoff = backoff
    }
}
