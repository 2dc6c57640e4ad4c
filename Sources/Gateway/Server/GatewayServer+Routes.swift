import Foundation
import Hummingbird
import Logging
import NIOCore
import ServingEngine

extension GatewayServer {
    /// The routes: OpenAI API, probes, metrics, admin.
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: HeaderSizeLimit(limit: settings.maxHeaderBytes) { error in self.failure(error, route: "any") })
        router.add(middleware: NotFoundAsJSON())
        router.post("/v1/chat/completions") { request, _ in await self.chatCompletions(request) }
        router.post("/v1/embeddings") { request, _ in await self.embeddings(request) }
        router.post("/v1/responses") { request, _ in await self.responses(request) }
        router.get("/v1/models") { request, _ in self.models(request) }
        router.get("/v1/models/:id") { request, context in self.model(request, id: context.parameters.get("id") ?? "") }
        router.get("/healthz") { _, _ in self.respond(route: "healthz", Self.json(["status": "ok"])) }
        router.get("/readyz") { _, _ in self.readiness() }
        router.get("/metrics") { _, _ in self.metricsResponse() }
        router.get("/admin/providers") { request, _ in self.adminProviders(request) }
        router.post("/admin/providers/:name/:action") { request, context in
            self.adminOverride(request, name: context.parameters.get("name") ?? "", action: context.parameters.get("action") ?? "")
        }
        router.post("/admin/router/threshold") { request, _ in await self.adminRouterThreshold(request) }
        router.post("/admin/cache/invalidate") { request, _ in await self.adminCacheInvalidate(request) }
        router.get("/admin/stream") { request, _ in self.adminStream(request) }
        router.post("/admin/console/chat") { request, _ in await self.adminConsoleChat(request) }
        router.get("/admin/tenants") { request, _ in self.adminTenants(request) }
        router.post("/admin/tenants/:id/limits") { request, context in await self.adminTenantLimits(request, tenant: context.parameters.get("id") ?? "") }
        return router
    }

    func models(_ request: Request) -> Response {
        if case .failure(let error) = tenant(for: request) { return failure(error, route: "models") }
        let created = Int(Date().timeIntervalSince1970)
        let body = ModelListBody(data: engine.modelNames.map { .init(id: $0, created: created) })
        return respond(route: "models", Self.json(body))
    }

    /// `GET /v1/models/{id}`: one model, or an OpenAI-style 404.
    func model(_ request: Request, id: String) -> Response {
        if case .failure(let error) = tenant(for: request) { return failure(error, route: "models") }
        guard engine.modelNames.contains(id) else {
            return failure(APIError(.notFound, "the model '\(id)' does not exist; use 'auto' or one of: \(engine.modelNames.dropFirst().joined(separator: ", "))", param: "model", code: "model_not_found"), route: "models")
        }
        let body: JSONObject = ["id": .string(id), "object": "model", "created": .integer(Int64(Date().timeIntervalSince1970)), "owned_by": "switchboard"]
        return respond(route: "models", Self.json(body))
    }

    /// `GET /readyz`: 200 `ready` while a provider can answer; 503 `not ready` when none can, and
    /// 503 `draining` once a graceful shutdown has begun, so a load balancer moves traffic away.
    func readiness() -> Response {
        let providers = engine.snapshot().providers
        let ready = providers.filter { $0.state.canAnswer }.map(\.name)
        let draining = isDraining
        let isReady = !draining && !ready.isEmpty
        struct Body: Encodable { var status: String; var providers_ready: [String]; var providers_down: [String] }
        let body = Body(status: draining ? "draining" : isReady ? "ready" : "not ready", providers_ready: ready, providers_down: providers.filter { !$0.state.canAnswer }.map(\.name))
        return respond(route: "readyz", Self.json(body, status: isReady ? .ok : .serviceUnavailable))
    }

    func metricsResponse() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        let snapshot = engine.snapshot(activityLimit: 0)
        metrics.syncEmbedderFailures(snapshot.totals.embedderFailures)
        let bytes = metrics.render() + SharedStateMetrics.render(snapshot.sharedState) + TenantMetrics.render(engine.tenants.snapshot())
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The tenant of an authenticated request, or 401. Without configured keys everyone is the
    /// default tenant; the OpenAI `user` field never chooses the tenant.
    func tenant(for request: Request) -> Result<String, APIError> {
        caller(for: request).map(\.tenant)
    }

    /// The authenticated caller: the key it presented (empty without configured keys, so that
    /// everyone shares one concurrency limit) and its tenant, or 401.
    func caller(for request: Request) -> Result<(key: String, tenant: String), APIError> {
        guard !settings.apiKeys.isEmpty else { return .success((key: "", tenant: ChatRequest.defaultTenant)) }
        guard let header = request.headers[.authorization] else {
            return .failure(.unauthorized("missing API key: send 'Authorization: Bearer <key>'"))
        }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            return .failure(.unauthorized("the Authorization header must be 'Bearer <key>'"))
        }
        let presented = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        var match: (key: String, tenant: String)?
        for (key, tenant) in settings.apiKeys where Self.constantTimeEquals(key, presented) { match = (key, tenant) }
        guard let match else { return .failure(.unauthorized("invalid API key")) }
        return .success(match)
    }

    /// Compares secrets in time that does not depend on where they differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }

    /// An OpenAI-style error response, counted and logged.
    func failure(_ error: APIError, route: String, extraHeaders: HTTPFields = HTTPFields()) -> Response {
        var response = Self.json(error.body, status: error.status)
        for field in extraHeaders { response.headers.append(field) }
        metrics.recordError(kind: error.code ?? error.type)
        var metadata: Logger.Metadata = ["route": "\(route)", "status": "\(error.status.code)", "error": "\(error.code ?? error.type)"]
        if let param = error.param { metadata["param"] = "\(param)" }
        // A message about a malformed field can quote the request's own text (a prompt sent as the
        // wrong type); the client sees it, the log only when prompts may be logged.
        if settings.logPrompts || !error.mayQuoteRequest { metadata["reason"] = "\(error.message)" }
        logger.info("request refused", metadata: metadata)
        return respond(route: route, response)
    }

    func respond(route: String, _ response: Response) -> Response {
        metrics.recordResponse(route: route, status: response.status.code)
        return response
    }

    /// A JSON response of `object`, written without Foundation.
    static func json(_ object: JSONObject, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: object.serialized)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":{"message":"could not encode the response","type":"api_error","param":null,"code":null}}"#.utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
