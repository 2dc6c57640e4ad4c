public import Foundation

/// Everything the engine did with one request: the unit of the activity log and of metrics.
public struct DecisionRecord: Sendable, Hashable, Identifiable, Codable {
    /// A process-unique identifier, increasing with time.
    public var id: UInt64
    /// When the request arrived (wall clock, for display).
    public var receivedAt: Date
    /// The tenant that sent it.
    public var tenant: String
    /// Where it came from.
    public var origin: RequestOrigin
    /// The start of the prompt, single line, for display.
    public var promptExcerpt: String
    /// What the cache said.
    public var cache: CacheOutcome
    /// Where the router sent it and why.
    public var route: RouteDecision
    /// Every provider tried or skipped, in order.
    public var attempts: [ProviderAttempt]
    /// The provider that answered, if one did.
    public var provider: String?
    /// How the request ended.
    public var status: Status
    /// Token counts of the answer.
    public var usage: TokenUsage
    /// What the answer cost (zero for cache hits).
    public var costUSD: Double
    /// What it would have cost on the frontier tier with no cache (priced at that tier's first available provider).
    public var frontierCostUSD: Double
    /// From arrival to the last byte.
    public var latency: Duration
    /// From arrival to the first answer text, if any came.
    public var timeToFirstToken: Duration?
    /// The API the request came through.
    public var endpoint: RequestEndpoint = .chat
    /// The whole trail behind the decision, for the request inspector.
    public var evidence = DecisionEvidence()

    /// Creates a record (the engine makes them; tests and tools may build their own).
    public init(
        id: UInt64, receivedAt: Date, tenant: String, origin: RequestOrigin, promptExcerpt: String, cache: CacheOutcome,
        route: RouteDecision, attempts: [ProviderAttempt], provider: String?, status: Status, usage: TokenUsage,
        costUSD: Double, frontierCostUSD: Double, latency: Duration, timeToFirstToken: Duration?
    ) {
        self.id = id
        self.receivedAt = receivedAt
        self.tenant = tenant
        self.origin = origin
        self.promptExcerpt = promptExcerpt
        self.cache = cache
        self.route = route
        self.attempts = attempts
        self.provider = provider
        self.status = status
        self.usage = usage
        self.costUSD = costUSD
        self.frontierCostUSD = frontierCostUSD
        self.latency = latency
        self.timeToFirstToken = timeToFirstToken
    }

    /// How a request ended.
    public enum Status: Sendable, Hashable, Codable {
        /// Answered in full.
        case ok
        /// No answer: every provider failed, the deadline passed, or the request was refused.
        case failed(String)
        /// The answer started but broke off; the caller was told.
        case interrupted(String)
        /// The caller went away before the answer was complete.
        case cancelled

        /// Whether the request got a complete answer.
        public var isSuccess: Bool { self == .ok }
    }

    /// Whether a provider other than the chain's first answered, because earlier ones failed or were skipped.
    public var isFallback: Bool {
        guard provider != nil else { return false }
        return attempts.contains { if case .succeeded = $0.outcome { false } else { true } }
    }

    /// Whether the answer came from the cache.
    public var isCacheHit: Bool { cache.isHit }
}

/// What the cache said about a request.
public enum CacheOutcome: Sendable, Hashable, Codable {
    /// The same prompt was answered before in this scope.
    case exact
    /// A similar prompt was answered before; its text and the cosine similarity.
    case semantic(similarity: Double, matchedPrompt: String)
    /// Nothing close enough; the best similarity seen, if any entry was compared.
    case miss(bestSimilarity: Double?)
    /// The request asked not to use the cache.
    case bypass
    /// The cache is switched off.
    case disabled
    /// The embedder failed or ran past its timeout, so the cache was skipped (it fails open: a
    /// miss, counted as an embedder failure); the reason says what went wrong.
    case unavailable(reason: String)

    /// Whether the answer came from the cache.
    public var isHit: Bool {
        switch self {
        case .exact, .semantic: true
        default: false
        }
    }

    /// The header-style name: `hit-exact`, `hit-semantic`, `miss`, `bypass`, `off`, `unavailable`.
    public var label: String {
        switch self {
        case .exact: "hit-exact"
        case .semantic: "hit-semantic"
        case .miss: "miss"
        case .bypass: "bypass"
        case .disabled: "off"
        case .unavailable: "unavailable"
        }
    }
}

/// The API a request came through.
public enum RequestEndpoint: String, Sendable, Hashable, Codable {
    /// `/v1/chat/completions`, the console and the traffic generator.
    case chat
    /// `/v1/embeddings`.
    case embeddings
    /// `/v1/responses`.
    case responses
}
