import NIOCore
import ServingEngine

/// What the real providers share: posting JSON over the shared transport and turning transport
/// failures and statuses into ``ProviderFailure``s without leaking keys.
struct UpstreamCall: Sendable {
    let transport: any UpstreamTransport
    let provider: String
    let secret: String?
    /// The most bytes a response body or stream may have (`gateway.max_upstream_response_bytes`).
    var maxResponseBytes: Int = 16 << 20

    init(transport: any UpstreamTransport, provider: String, secret: String?, maxResponseBytes: Int = 16 << 20) {
        self.transport = transport
        self.provider = provider
        self.secret = secret
        self.maxResponseBytes = maxResponseBytes
    }

    /// Posts `body` and returns the response once its head says 200; any other status becomes a
    /// classified failure with a short excerpt of the body and, when the body is an API error
    /// object, that error (so that a refused request reaches the client in the provider's words).
    func post(_ url: String, headers: [(String, String)], body: JSONObject) async throws -> UpstreamResponse {
        let request = UpstreamRequest(method: .post, url: url, headers: [("content-type", "application/json")] + headers, body: body.serialized)
        let response: UpstreamResponse
        do {
            // Timeouts of whole calls are the engine's (it cancels this task); the transport's
            // read timeout stops a call that nobody cancels and that goes silent.
            response = try await transport.execute(request, timeout: nil)
        } catch {
            throw transportFailure(error, midStream: false)
        }
        guard response.status == 200 else {
            let bytes = try? await response.body.collect(upTo: 64 * 1024)
            let text = bytes.map { String(buffer: $0) } ?? ""
            var failure = UpstreamStatus.failure(status: response.status, provider: provider, detail: UpstreamStatus.excerpt(text, redacting: secret), retryAfter: response.headers.first(name: "retry-after"))
            failure.upstreamError = UpstreamStatus.apiError(in: text, redacting: secret)
            throw failure
        }
        return response
    }

    /// Streams the server-sent events of `response` to `handle`, which returns false to stop.
    /// A body that breaks off is `.streamBroken`; a trailing event that never ended is handed over
    /// (and is usually garbled JSON, so `.badResponse`). What `handle` throws passes through as it is.
    func events(of response: UpstreamResponse, _ handle: (ServerSentEventParser.Event) throws -> Bool) async throws {
        var parser = ServerSentEventParser()
        var received = 0
        let body = response.body
        while true {
            let next: ByteBuffer?
            do {
                next = try await body.next()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw transportFailure(error, midStream: true)
            }
            guard let buffer = next else { break }
            // Bounded before parsing: an endless stream, or one line that never ends, must not
            // grow memory without limit.
            received += buffer.readableBytes
            guard received <= maxResponseBytes else { throw tooLong() }
            for event in parser.feed(buffer.readableBytesView) {
                guard try handle(event) else { return }
            }
        }
        if let last = parser.finish() { _ = try handle(last) }
    }

    /// Collects a whole JSON body (for upstreams that ignore `stream: true`).
    func json(of response: UpstreamResponse) async throws -> JSONValue {
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: maxResponseBytes)
        } catch let error as UpstreamHTTPError where error.code == .tooManyBytes {
            throw tooLong()
        } catch {
            throw transportFailure(error, midStream: true)
        }
        guard let value = try? JSONParser.parse(buffer.readableBytesView), value.objectValue != nil else {
            throw ProviderFailure(.badResponse, "\(provider) answered with a body that is not a JSON object")
        }
        return value
    }

    /// The failure for a response over ``maxResponseBytes``: the attempt fails, the cascade moves on.
    func tooLong() -> ProviderFailure {
        ProviderFailure(.badResponse, "\(provider) sent more than \(maxResponseBytes) bytes, the gateway's limit for one upstream response (gateway.max_upstream_response_bytes); the response was cut off")
    }

    /// Parses one event's JSON payload, which must be an object.
    func object(_ data: String) throws -> JSONValue {
        guard let value = try? JSONParser.parse(data), value.objectValue != nil else {
            throw ProviderFailure(.badResponse, "\(provider) sent a stream event that is not a JSON object: \(UpstreamStatus.excerpt(data, redacting: secret).prefix(80))")
        }
        return value
    }

    func transportFailure(_ error: any Error, midStream: Bool) -> any Error {
        if error is CancellationError { return error }
        let text = String(describing: error)
        if let error = error as? UpstreamHTTPError, error.code == .readTimeout || error.code == .deadlineExceeded {
            return ProviderFailure(.timeout, "\(provider) stopped sending (read timeout)")
        }
        if midStream {
            return ProviderFailure(.streamBroken, "the connection to \(provider) broke mid-answer (\(Self.short(text)))")
        }
        return ProviderFailure(.connection, "cannot reach \(provider) (\(Self.short(text)))")
    }

    private static func short(_ text: String) -> String {
        text.count > 120 ? String(text.prefix(120)) + "…" : text
    }
}
