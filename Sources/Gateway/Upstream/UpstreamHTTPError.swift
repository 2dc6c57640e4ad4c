/// Why an upstream HTTP call failed, with what a reader needs to act on it.
///
/// A struct over a code, so that codes can be added without breaking callers; ``UpstreamCall``
/// maps the codes to ``ServingEngine/ProviderFailure`` kinds.
struct UpstreamHTTPError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    enum Code: Sendable, Hashable {
        /// The URL is not an absolute `http://` or `https://` URL with a host.
        case badURL
        /// A header name or value holds a line break or another character HTTP forbids.
        case badHeader
        /// The TCP (or TLS) connection could not be made: refused, unreachable, no such host.
        case connect
        /// The connection was not made within the connect timeout.
        case connectTimeout
        /// The server sent nothing for the read timeout while a response was awaited.
        case readTimeout
        /// The call's own timeout passed (``UpstreamTransport/execute(_:timeout:)``).
        case deadlineExceeded
        /// The connection closed or broke before the response (or its body) was complete.
        case connectionClosed
        /// The server's bytes are not an HTTP/1.1 response.
        case badResponse
        /// The body is longer than the caller allows.
        case tooManyBytes
        /// The client was shut down.
        case shutDown
    }

    let code: Code
    /// What happened, in words (the peer, the errno, the limit).
    let message: String
    /// Whether any byte of the response had arrived; a request on a reused connection that
    /// failed with none is safe to send again on a fresh one.
    var responseStarted = true

    init(_ code: Code, _ message: String, responseStarted: Bool = true) {
        self.code = code
        self.message = message
        self.responseStarted = responseStarted
    }

    var description: String { message }
}
