import NIOCore
import NIOHTTP1

/// How ``UpstreamCall`` reaches a provider's server: one HTTP request, the response's head once it
/// arrives, and its body read part by part in the caller's own task.
///
/// ``UpstreamHTTPClient`` is the gateway's transport; the seam lets a test, or another transport,
/// stand behind the providers without their knowing.
///
/// ```swift
/// let response = try await transport.execute(UpstreamRequest(method: .post, url: url, headers: headers, body: bytes), timeout: nil)
/// while let part = try await response.body.next() { … }
/// ```
protocol UpstreamTransport: Sendable {
    /// Sends `request` and returns once the response's head has arrived.
    ///
    /// - Parameters:
    ///   - request: what to send.
    ///   - timeout: a bound on the whole call, head and body; nil for none beyond the transport's
    ///     own read timeout (the engine bounds provider calls by cancelling their task).
    /// - Throws: ``UpstreamHTTPError``, or `CancellationError` when the task is cancelled.
    func execute(_ request: UpstreamRequest, timeout: Duration?) async throws -> UpstreamResponse
}

/// One request to an upstream server.
struct UpstreamRequest: Sendable {
    /// The methods the gateway sends upstream.
    enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    var method: Method
    /// An absolute `http://` or `https://` URL.
    var url: String
    /// Header fields sent as given, after `host` (and `content-length` when there is a body).
    var headers: [(String, String)]
    /// The body, sent with its `content-length`; nil sends none.
    var body: [UInt8]?

    init(method: Method, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A response whose head has arrived; its body is read from ``body``.
struct UpstreamResponse: Sendable {
    /// The status code, e.g. 200.
    let status: Int
    /// The response's header fields.
    let headers: HTTPHeaders
    /// The body, read in the caller's task; dropping it before its end closes or drains the
    /// connection.
    let body: any UpstreamBody
}

/// A response body, read part by part by one task.
protocol UpstreamBody: Sendable {
    /// The next part, or nil at the body's end.
    ///
    /// - Throws: ``UpstreamHTTPError`` when the connection breaks or goes silent, or
    ///   `CancellationError` when the task is cancelled (which closes the connection).
    func next() async throws -> ByteBuffer?
}

extension UpstreamBody {
    /// The whole body, which must have at most `limit` bytes.
    ///
    /// - Throws: ``UpstreamHTTPError`` with code ``UpstreamHTTPError/Code/tooManyBytes`` beyond
    ///   `limit`, or what ``next()`` throws.
    func collect(upTo limit: Int) async throws -> ByteBuffer {
        var whole = ByteBuffer()
        while var part = try await next() {
            guard whole.readableBytes + part.readableBytes <= limit else {
                throw UpstreamHTTPError(.tooManyBytes, "the response body is longer than \(limit) bytes")
            }
            if whole.readableBytes == 0 {
                whole = part
            } else {
                whole.writeBuffer(&part)
            }
        }
        return whole
    }
}
