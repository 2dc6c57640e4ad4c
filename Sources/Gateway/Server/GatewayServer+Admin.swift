import Foundation
import Hummingbird
import NIOCore
import ServingEngine

extension GatewayServer {
    /// Whether the request may use the admin API: the admin token when one is configured; when
    /// none is, only a gateway without API keys (loopback, single tenant) leaves it open.
    func authorizeAdmin(_ request: Request) -> APIError? {
        if let token = settings.adminToken {
            let header = request.headers[.authorization] ?? ""
            let presented = header.lowercased().hasPrefix("bearer ") ? String(header.dropFirst(7)) : ""
            return Self.constantTimeEquals(token, presented) ? nil : APIError(.unauthorized, "the admin API needs 'Authorization: Bearer <admin token>'", code: "invalid_admin_token")
        }
        if !settings.apiKeys.isEmpty {
            return APIError(.forbidden, "the admin API is disabled because API keys are configured without an admin token; set gateway.admin_token_env", code: "admin_disabled")
        }
        return nil
    }

    func adminProviders(_ request: Request) -> Response {
        if let error = authorizeAdmin(request) { return failure(error, route: "admin") }
        struct Body: Encodable { var providers: [ProviderStatusBody] }
        let checks = healthChecker?.results ?? [:]
        let providers = engine.snapshot().providers.map { provider in
            var body = ProviderStatusBody(provider)
            body.healthCheck = checks[provider.name]
            return body
        }
        return respond(route: "admin", Self.json(Body(providers: providers)))
    }

    func adminOverride(_ request: Request, name: String, action: String) -> Response {
        if let error = authorizeAdmin(request) { return failure(error, route: "admin") }
        let override: ProviderOverride
        switch action {
        case "down": override = .forcedDown
        case "up": override = .forcedUp
        case "auto": override = .auto
        default:
            return failure(APIError(.notFound, "unknown action '\(action)'; use down, up or auto", param: "action", code: "unknown_action"), route: "admin")
        }
        do {
            let message = try engine.perform(.setOverride(provider: name, override))
            logger.notice("operator override", metadata: ["provider": "\(name)", "override": "\(override.rawValue)", "via": "admin-api"])
            struct Body: Encodable { var message: String; var provider: String; var override: String }
            return respond(route: "admin", Self.json(Body(message: message, provider: name, override: override.rawValue)))
        } catch {
            return failure(APIError(.notFound, error.message, param: "name", code: "unknown_provider"), route: "admin")
        }
    }

    /// `POST /admin/router/threshold` with `{"value": 0.4}`: the operator's trade-off number.
    func adminRouterThreshold(_ request: Request) async -> Response {
        if let error = authorizeAdmin(request) { return failure(error, route: "admin") }
        let object: [String: Any]
        switch await adminBody(request) {
        case .success(let body): object = body
        case .failure(let error): return failure(error, route: "admin")
        }
        guard let value = (object["value"] as? NSNumber)?.doubleValue, !(object["value"] is Bool) else {
            return failure(APIError(.badRequest, "expected a JSON body {\"value\": NUMBER} with the threshold between 0 and 1", param: "value", code: "invalid_threshold"), route: "admin")
        }
        return adminPerform(.setRouterThreshold(value), conflict: "invalid_threshold")
    }

    /// `POST /admin/cache/invalidate` with `{}` (everything), `{"tenant": "acme"}`, `{"model": "small"}`
    /// or both (the entries of that tenant for that model).
    func adminCacheInvalidate(_ request: Request) async -> Response {
        if let error = authorizeAdmin(request) { return failure(error, route: "admin") }
        let object: [String: Any]
        switch await adminBody(request) {
        case .success(let body): object = body
        case .failure(let error): return failure(error, route: "admin")
        }
        if object["tenant"] != nil, !(object["tenant"] is String) {
            return failure(APIError(.badRequest, "'tenant' must be a string; leave it out to invalidate every tenant", param: "tenant", code: "invalid_tenant"), route: "admin")
        }
        if object["model"] != nil, !(object["model"] is String) {
            return failure(APIError(.badRequest, "'model' must be a string (the model or route clients asked for, e.g. auto or small); leave it out to invalidate every model", param: "model", code: "invalid_model"), route: "admin")
        }
        return adminPerform(.invalidateCache(tenant: object["tenant"] as? String, model: object["model"] as? String), conflict: "invalid_request")
    }

    private func adminPerform(_ command: OperatorCommand, conflict code: String) -> Response {
        do {
            let message = try engine.perform(command)
            logger.notice("operator command", metadata: ["command": "\(message)", "via": "admin-api"])
            return respond(route: "admin", Self.json(["message": message]))
        } catch {
            return failure(APIError(.badRequest, error.message, code: code), route: "admin")
        }
    }

    /// The request's JSON object body; an empty body is an empty object.
    func adminBody(_ request: Request) async -> Result<[String: Any], APIError> {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 64 * 1024)
        } catch {
            return .failure(APIError(.contentTooLarge, "admin request bodies are limited to 64 KiB", code: "body_too_large"))
        }
        guard buffer.readableBytes > 0 else { return .success([:]) }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] else {
            return .failure(APIError(.badRequest, "the body is not a JSON object", code: "invalid_json"))
        }
        return .success(object)
    }
}
