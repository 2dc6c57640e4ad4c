import Foundation
import HTTPTypes
import Hummingbird
import ServingEngine

extension GatewayServer {
    /// Admits a request of `tenant` under its limits — the entry point every route that reaches
    /// a provider calls — or returns the 429 to send.
    ///
    /// Wiring a route is two steps:
    /// ```swift
    /// let pass: TenantPass
    /// switch await admitTenant(caller.tenant, estimatedTokens: n, route: "embeddings") {
    /// case .admitted(let admitted): pass = admitted
    /// case .refused(let refusal): return refusal
    /// }
    /// return await metered(pass) { await self.handle(…) }   // headers added, pass settled
    /// ```
    /// A route that calls the engine's `complete` or `stream` inside `metered` is settled by the
    /// engine with the request's tokens and cost; one that calls a provider itself settles with
    /// `pass.settle(usedTokens:costUSD:)`.
    func admitTenant(_ tenant: String, estimatedTokens: Int, route: String) async -> TenantAdmission {
        switch await engine.tenants.admitWaiting(tenant, estimatedTokens: estimatedTokens) {
        case .success(let pass): return .admitted(pass)
        case .failure(let refusal): return .refused(refused(refusal, route: route))
        }
    }

    /// What ``admitTenant(_:estimatedTokens:route:)`` decided.
    enum TenantAdmission {
        /// Go ahead under this pass.
        case admitted(TenantPass)
        /// Send this 429 instead.
        case refused(Response)
    }

    /// ``admitTenant(_:estimatedTokens:route:)`` for a chat request, estimated from its prompt and `max_tokens`.
    func admitTenant(_ chat: ChatRequest, route: String) async -> TenantAdmission {
        await admitTenant(chat.tenant, estimatedTokens: engine.tenants.estimate(chat), route: route)
    }

    /// Runs `handler` under `pass` (so the engine's budget step and settlement see it) and adds
    /// the `x-ratelimit-*` and `x-switchboard-budget` headers to whatever it answers.
    func metered(_ pass: TenantPass, _ handler: () async -> Response) async -> Response {
        var response = await pass.run { await handler() }
        response.headers.append(contentsOf: Self.rateLimitHeaders(pass.status))
        if let note = pass.budgetNote { response.headers[Self.budgetHeader] = note.summary }
        return response
    }

    /// The 429 for a limit: `Retry-After`, the `x-ratelimit-*` headers and an OpenAI-style body
    /// (`rate_limit_exceeded`, or `insufficient_quota` for a spent budget).
    func refused(_ refusal: TenantRefusal, route: String) -> Response {
        var headers = Self.rateLimitHeaders(refusal.status)
        headers[.retryAfter] = String(max(1, Int(refusal.retryAfterSeconds.rounded(.up))))
        headers[Self.retryAfterMillisecondsHeader] = String(max(1, Int((refusal.retryAfterSeconds * 1000).rounded(.up))))
        // OpenAI's SDKs retry every 429 unless told not to; a block or a spent budget will not
        // clear in the seconds their backoff waits.
        if !refusal.isRetryable || refusal.code == "insufficient_quota" { headers[Self.shouldRetryHeader] = "false" }
        let type = switch refusal.limit {
        case .requests: "requests"
        case .tokens: "tokens"
        case .dailyBudget, .monthlyBudget: "insufficient_quota"
        default: "rate_limit_error"
        }
        let error = APIError(.tooManyRequests, refusal.message, type: type, param: refusal.limit.rawValue, code: refusal.code)
        return failure(error, route: route, extraHeaders: headers)
    }

    /// The 429 for an engine error that a spent budget caused, or nil for any other error.
    func budgetRefusal(_ error: EngineError, tenant: String, route: String) -> Response? {
        guard error.code == .insufficientQuota else { return nil }
        let standing = engine.tenants.standing(tenant)
        let refusal = TenantRefusal(
            tenant: tenant, limit: standing?.limit ?? .dailyBudget, retryAfterSeconds: max(1, (standing?.resetSeconds ?? 60).rounded(.up)),
            status: TenantLimitStatus(budgetUsedPercent: standing?.usedPercent), message: error.message
        )
        return refused(refusal, route: route)
    }

    /// OpenAI's rate-limit headers for the tenant's per-minute limits (omitted for a limit the
    /// tenant does not have), and the share of its budget used.
    static func rateLimitHeaders(_ status: TenantLimitStatus) -> HTTPFields {
        var headers = HTTPFields()
        if let requests = status.requests {
            headers[limitRequests] = String(requests.limit)
            headers[remainingRequests] = String(requests.remaining)
            headers[resetRequests] = TenantLimitStatus.format(seconds: requests.resetSeconds)
        }
        if let tokens = status.tokens {
            headers[limitTokens] = String(tokens.limit)
            headers[remainingTokens] = String(tokens.remaining)
            headers[resetTokens] = TenantLimitStatus.format(seconds: tokens.resetSeconds)
        }
        if let used = status.budgetUsedPercent { headers[budgetUsedHeader] = String(format: "%.1f", used) }
        return headers
    }

    static let limitRequests = HTTPField.Name("x-ratelimit-limit-requests")!
    static let remainingRequests = HTTPField.Name("x-ratelimit-remaining-requests")!
    static let resetRequests = HTTPField.Name("x-ratelimit-reset-requests")!
    static let limitTokens = HTTPField.Name("x-ratelimit-limit-tokens")!
    static let remainingTokens = HTTPField.Name("x-ratelimit-remaining-tokens")!
    static let resetTokens = HTTPField.Name("x-ratelimit-reset-tokens")!
    static let budgetHeader = HTTPField.Name("x-switchboard-budget")!
    static let budgetUsedHeader = HTTPField.Name("x-switchboard-budget-used-percent")!
    static let retryAfterMillisecondsHeader = HTTPField.Name("retry-after-ms")!
    static let shouldRetryHeader = HTTPField.Name("x-should-retry")!
}
