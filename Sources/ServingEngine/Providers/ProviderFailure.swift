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
    /// The error the provider answered with, when it said one, to pass on to the client when
    /// the failure is the request's fault.
    public var upstreamError: UpstreamError?

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
        /// The provider cannot carry something the request asks for (a field with no equivalent in
        /// its API); another provider may.
        case unsupported
    }

    /// Creates a failure.
    public init(_ kind: Kind, _ detail: String, retryAfter: Duration? = nil, upstreamError: UpstreamError? = nil) {
        self.kind = kind
        self.detail = detail
        self.retryAfter = retryAfter
        self.upstreamError = upstreamError
    }

    /// Whether the same provider may be tried again.
    public var isRetryable: Bool {
        switch kind {
        case .rateLimited, .serverError, .timeout, .connection, .streamBroken, .badResponse: true
        case .providerRejected, .requestRejected, .unsupported: false
        }
    }

    /// Whether the next provider in the chain may be tried.
    public var allowsFallback: Bool { kind != .requestRejected }

    /// Whether the failure says something about the provider's health (and so counts for its breaker).
    public var countsAgainstHealth: Bool {
        switch kind {
        case .requestRejected, .unsupported: false
        default: true
        }
    }

    public var description: String { "\(kind.rawValue): \(detail)" }
}

/// An error as a provider's API worded it (`{"error": {"message", "type", "param", "code"}}`).
public struct UpstreamError: Sendable, Hashable, Codable {
    /// The provider's message.
    public var message: String
    /// Its error type, e.g. `invalid_request_error`.
    public var type: String?
    /// The parameter it blamed.
    public var param: String?
    /// Its error code.
    public var code: String?

    /// Creates an upstream error.
    public init(message: String, type: String? = nil, param: String? = nil, code: String? = nil) {
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }
}
