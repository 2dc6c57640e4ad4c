/// Why the engine could not answer a request, with what it tried.
///
/// A struct over a code rather than an enum, so that codes can be added without breaking
/// callers; the gateway maps codes to HTTP statuses.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidRequest = "invalid_request"
            case unknownModel = "unknown_model"
            case allProvidersFailed = "all_providers_failed"
            case deadlineExceeded = "deadline_exceeded"
            case requestRejected = "request_rejected"
            case interrupted
            case cancelled
            case rateLimited = "rate_limited"
            case noCapableProvider = "no_capable_provider"
            case insufficientQuota = "insufficient_quota"
        }
        private let base: Base

        /// The request is malformed (empty messages, bad parameter).
        public static let invalidRequest = Code(base: .invalidRequest)
        /// The model named is neither `auto`, a tier, an alias nor a provider.
        public static let unknownModel = Code(base: .unknownModel)
        /// Every provider in the chain failed or was skipped.
        public static let allProvidersFailed = Code(base: .allProvidersFailed)
        /// The request's deadline passed before any provider answered.
        public static let deadlineExceeded = Code(base: .deadlineExceeded)
        /// A provider refused the request as invalid.
        public static let requestRejected = Code(base: .requestRejected)
        /// The answer began but the provider failed before it ended.
        public static let interrupted = Code(base: .interrupted)
        /// The caller cancelled the request.
        public static let cancelled = Code(base: .cancelled)
        /// Rate limited: a tenant limit (rate, tokens, concurrency, a block) refused the request
        /// before it ran, or every provider tried said it was rate limited;
        /// ``EngineError/retryAfter`` says when to retry.
        public static let rateLimited = Code(base: .rateLimited)
        /// No provider of the chain can do what the request needs (tools, images, JSON schema…).
        public static let noCapableProvider = Code(base: .noCapableProvider)
        /// The tenant's spend budget is used up and no zero-price provider could answer.
        public static let insufficientQuota = Code(base: .insufficientQuota)

        /// A stable snake_case name, e.g. `all_providers_failed`.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, for the caller; it lists the providers tried when there were any.
    public var message: String
    /// Every provider tried or skipped, in order.
    public var attempts: [ProviderAttempt]
    /// When the caller may try again, if the providers said (rate limits).
    public var retryAfter: Duration?

    /// Creates an error.
    public init(_ code: Code, _ message: String, attempts: [ProviderAttempt] = [], retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.attempts = attempts
        self.retryAfter = retryAfter
    }

    /// The error a provider returned for a request it refused (an upstream 400), when one did:
    /// what the client should see instead of Switchboard's own words.
    public var upstreamRejection: UpstreamError? {
        for attempt in attempts.reversed() {
            if case .failed(let failure) = attempt.outcome, failure.kind == .requestRejected || failure.kind == .unsupported, let error = failure.upstreamError { return error }
        }
        return nil
    }

    public var description: String { message }
}
