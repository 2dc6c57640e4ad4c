import HTTPTypes
import Hummingbird

/// Refuses a request whose header fields total more than `limit` bytes with 431, before any
/// route runs (so it guards the admin API and the probes as well as chat).
///
/// Each field counts as `name: value` plus its line ending, as it travels in HTTP/1.1.
struct HeaderSizeLimit<Context: RequestContext>: RouterMiddleware {
    let limit: Int
    let refuse: @Sendable (APIError) -> Response

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let size = Self.size(of: request.headers)
        guard size <= limit else { return refuse(Self.error(size: size, limit: limit)) }
        return try await next(request, context)
    }

    /// The bytes `headers` take on the wire.
    static func size(of headers: HTTPFields) -> Int {
        headers.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
    }

    static func error(size: Int, limit: Int) -> APIError {
        APIError(.init(code: 431, reasonPhrase: "Request Header Fields Too Large"), "the request headers total \(size) bytes, more than the gateway's limit of \(limit) bytes (gateway.max_header_bytes); send fewer or shorter headers or raise the limit", code: "headers_too_large")
    }
}
