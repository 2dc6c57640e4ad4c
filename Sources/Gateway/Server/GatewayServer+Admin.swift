import Hummingbird
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
}
