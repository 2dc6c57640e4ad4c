import HTTPTypes
import Hummingbird
import ServingEngine

/// Answers a request for a route the gateway does not have with an OpenAI-style JSON 404 that
/// names the routes it does have, instead of an empty body.
struct NotFoundAsJSON<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            let message = "no route for \(request.method) \(request.uri.path); Switchboard serves POST /v1/chat/completions, POST /v1/embeddings, POST /v1/responses, GET /v1/models and GET /v1/models/{id}"
            return GatewayServer.json(APIError(.notFound, message, code: "unknown_url").wireObject, status: .notFound)
        }
    }
}
