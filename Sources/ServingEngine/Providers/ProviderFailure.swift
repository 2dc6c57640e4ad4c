/// A failed provider call, classified so that the cascade knows what to do next.
///
/// `retryable` failures (rate limits, 5xx, timeouts, connection errors, broken or garbled
/// streams) are retried with backoff and then fall to the next provider; `providerRejected`
/// failures (bad credentials, unknown model) skip straight to the next provider; `requestRejected`
/// failures (the request itself is invalid) end the cascade, since every provider would refuse it.
public struct ProviderFailure: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// What went wrong.
    public var kind: Kind
    /// A short explanation, safe to show to operators (never contains secrets).
    public var detail: String
    /// How long the provider asked us to wait before trying again (`Retry-After`).
    public var retryAfter: Duration?

    /// The classes of provider failure.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// HTTP 429 or a concurrency limit.
        case rateLimited = "rate_limited"
        /// HTTP 5xx.
        case serverError = "server_error"
        /// No answer (or no first token) within the timeout.
        case timeout
        /// The connection could not be made or was reset.
        case connection
        /// The stream ended before the answer was complete.
        case streamBroken = "stream_broken"
        /// The provider answered with something that is not a valid response.
        case badResponse = "bad_response"
        /// The provider refused us (credentials, unknown model, forbidden).
        case providerRejected = "provider_rejected"
        /// The provider refused the request itself as invalid.
        case requestRejected = "request_rejected"
    }

    /// Creates a failure.
    public init(_ kind: Kind, _ detail: String, retryAfter: Duration? = nil) {
        self.kind = kind
        self.detail = detail
        self.retryAfter = retryAfter
    }

    /// Whether the same provider may be tried again.
    public var isRetryable: Bool {
        switch kind {
        case .rateLimited, .serverError, .timeout, .connection, .streamBroken, .badResponse: true
        case .providerRejected, .requestRejected: false
        }
    }

    /// Whether the next provider in the chain may be tried.
    public var allowsFallback: Bool { kind != .requestRejected }

    /// Whether the failure says something about the provider's health (and so counts for its breaker).
    public var countsAgainstHealth: Bool {
        switch kind {
        case .requestRejected: false
        default: true
        }
    }

    public var description: String { "\(kind.rawValue): \(detail)" }
}
