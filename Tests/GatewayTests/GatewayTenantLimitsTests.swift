import Foundation
@testable import Gateway
import ServingEngine
import Testing

/// Tenant limits through the real HTTP gateway: OpenAI's rate-limit headers on every answer, the
/// 429s' shape, run-time changes through the admin API, `/metrics`, and no overshoot under load.
@Suite("Tenant limits over HTTP", .timeLimit(.minutes(2)))
struct GatewayTenantLimitsTests {
    static let settings = GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0), apiKeys: ["key-acme": "acme", "key-globex": "globex"], adminToken: "admin-secret")
    static let acme = [("authorization", "Bearer key-acme")]
    static let globex = [("authorization", "Bearer key-globex")]
    static let admin = [("authorization", "Bearer admin-secret")]

    @Test func everyAnswerPlainOrStreamedCarriesTheRateLimitHeaders() async throws {
        try await GatewayHarness.run(settings: Self.settings, cache: false) { h in
            // Six a minute: one refills every 10 s, longer than the test takes on a busy machine.
            h.engine.tenants.change("acme", TenantLimitsChange(requestsPerMinute: .some(6), tokensPerMinute: .some(50_000)))
            let plain = try await h.post(GatewayHarness.chat("hello", extra: #","max_tokens":100"#), headers: Self.acme)
            #expect(plain.status == 200)
            #expect(plain.headers["x-ratelimit-limit-requests"] == "6")
            #expect(plain.headers["x-ratelimit-remaining-requests"] == "5")
            #expect(plain.headers["x-ratelimit-reset-requests"] == "10s")
            #expect(plain.headers["x-ratelimit-limit-tokens"] == "50000")
            // "hello" is about 2 tokens, 4 of framing, and max_tokens 100.
            #expect(plain.headers["x-ratelimit-remaining-tokens"] == "49894")
            let streamed = try await h.post(GatewayHarness.chat("hello again", stream: true), headers: Self.acme)
            #expect(streamed.status == 200)
            #expect(streamed.headers["x-ratelimit-remaining-requests"] == "4")
            #expect(streamed.streamedText == "fallback")
            // A tenant without limits gets none of them (there is no limit to describe).
            let other = try await h.post(GatewayHarness.chat("hello"), headers: Self.globex)
            #expect(other.status == 200)
            #expect(other.headers["x-ratelimit-limit-requests"] == nil)
        }
    }

    @Test func embeddingsAndResponsesCountAgainstTheSameLimits() async throws {
        try await GatewayHarness.run(settings: Self.settings, cache: false) { h in
            h.engine.tenants.change("acme", TenantLimitsChange(requestsPerMinute: .some(3)))
            let embedded = try await h.post("/v1/embeddings", #"{"model":"main","input":"hello"}"#, headers: Self.acme)
            #expect(embedded.status == 200, "\(embedded.body)")
            #expect(embedded.headers["x-ratelimit-remaining-requests"] == "2")
            let response = try await h.post("/v1/responses", #"{"model":"main","input":"hello"}"#, headers: Self.acme)
            #expect(response.status == 200, "\(response.body)")
            #expect(response.headers["x-ratelimit-remaining-requests"] == "1")
            let streamed = try await h.post("/v1/responses", #"{"model":"main","input":"hello","stream":true}"#, headers: Self.acme)
            #expect(streamed.status == 200)
            #expect(streamed.headers["x-ratelimit-remaining-requests"] == "0")
            let calls = h.upstream.calls("primary").count
            for (path, body) in [("/v1/embeddings", #"{"model":"main","input":"x"}"#), ("/v1/responses", #"{"model":"main","input":"x"}"#), ("/v1/chat/completions", GatewayHarness.chat("x"))] {
                let refused = try await h.post(path, body, headers: Self.acme)
                #expect(refused.status == 429, "\(path): \(refused.body)")
                #expect(refused.error["code"] as? String == "rate_limit_exceeded", "\(path)")
            }
            #expect(h.upstream.calls("primary").count == calls, "refused requests reach no provider")
        }
    }

    @Test func overTheRequestLimitIsA429WithRetryAfterAndAnOpenAIStyleError() async throws {
        try await GatewayHarness.run(settings: Self.settings, cache: false) { h in
            h.engine.tenants.change("acme", TenantLimitsChange(requestsPerMinute: .some(2)))
            for _ in 0..<2 { #expect(try await h.post(GatewayHarness.chat("hi"), headers: Self.acme).status == 200) }
            let calls = h.upstream.calls("primary").count
            let refused = try await h.post(GatewayHarness.chat("hi", stream: true), headers: Self.acme)
            #expect(refused.status == 429)
            #expect(refused.error["code"] as? String == "rate_limit_exceeded")
            #expect(refused.error["type"] as? String == "requests")
            #expect(refused.error["param"] as? String == "requests_per_minute")
            // One request refills in 30 s, less the time the first two took.
            let retryAfter = try #require(refused.headers["retry-after"].flatMap(Int.init))
            let retryAfterMs = try #require(refused.headers["retry-after-ms"].flatMap(Int.init))
            #expect((20...30).contains(retryAfter), "\(retryAfter)")
            #expect(retryAfterMs <= retryAfter * 1000 && retryAfterMs > (retryAfter - 1) * 1000, "\(retryAfterMs) ms against \(retryAfter) s")
            #expect(refused.errorMessage.contains("2 requests per minute") && refused.errorMessage.contains("allowed in \(retryAfter)s"), "\(refused.errorMessage)")
            #expect(refused.headers["x-ratelimit-remaining-requests"] == "0")
            #expect(refused.headers["x-should-retry"] == nil)
            #expect(h.upstream.calls("primary").count == calls, "a refused request must not reach a provider")
            // Another tenant is not affected.
            #expect(try await h.post(GatewayHarness.chat("hi"), headers: Self.globex).status == 200)
        }
    }

    @Test func overTheTokenLimitIsA429OfTypeTokens() async throws {
        try await GatewayHarness.run(settings: Self.settings, cache: false) { h in
            h.engine.tenants.change("acme", TenantLimitsChange(tokensPerMinute: .some(300)))
            // While the first request is in flight its estimate (about 206 tokens) is held; once it
            // ends, the estimate is corrected to the provider's usage and the tokens come back.
            h.upstream.script("primary", [.slow(.seconds(2), ["slow answer"])])
            async let first = h.post(GatewayHarness.chat("hi", extra: #","max_tokens":200"#), headers: Self.acme)
            // Once the upstream holds the first call, its estimate is reserved: no clock decides the order.
            try await waitUntil(.seconds(10)) { h.upstream.calls("primary").count == 1 }
            let refused = try await h.post(GatewayHarness.chat("hi", extra: #","max_tokens":200"#), headers: Self.acme)
            #expect(try await first.status == 200)
            #expect(try await h.post(GatewayHarness.chat("hi again", extra: #","max_tokens":200"#), headers: Self.acme).status == 200)
            #expect(refused.status == 429)
            #expect(refused.error["type"] as? String == "tokens")
            #expect(refused.errorMessage.contains("300 tokens per minute"), "\(refused.errorMessage)")
        }
    }

    @Test func aSpentBudgetIsInsufficientQuotaThatTheSDKIsToldNotToRetry() async throws {
        try await GatewayHarness.run(settings: Self.settings, cache: false) { h in
            let response = h.gateway.budgetRefusal(EngineError(.insufficientQuota, "tenant 'acme' has spent $1 of its daily budget"), tenant: "acme", route: "chat")
            #expect(response?.status.code == 429)
            #expect(response?.headers[GatewayServer.shouldRetryHeader] == "false")
            #expect(h.gateway.budgetRefusal(EngineError(.allProvidersFailed, "no"), tenant: "acme", route: "chat") == nil)
        }
    }

    @Test func aZeroPriceProviderIsNeverBlockedByASpentBudget() async throws {
        // The harness's providers have no price: a zero budget still lets them answer.
        try await GatewayHarness.run(settings: Self.settings, cache: false) { h in
            h.engine.tenants.change("acme", TenantLimitsChange(dailyBudgetUSD: .some(0)))
            let reply = try await h.post(GatewayHarness.chat("free please"), headers: Self.acme)
            #expect(reply.status == 200, "\(reply.body)")
            #expect(reply.headers["x-switchboard-budget"] == "budget 100 % used → free providers only (primary, secondary)")
            #expect(reply.headers["x-switchboard-budget-used-percent"] == "100.0")
        }
    }

    @Test func aSpentBudgetSendsChatEmbeddingsAndResponsesToTheZeroPriceProviderInsteadOfA429() async throws {
        // main = [primary ($1000 per million tokens), secondary (no price)].
        try await GatewayHarness.run(settings: Self.settings, cache: false, priced: ["primary"]) { h in
            h.engine.tenants.change("acme", TenantLimitsChange(dailyBudgetUSD: .some(0)))
            for (path, body) in [
                ("/v1/chat/completions", GatewayHarness.chat("free please", model: "main")), ("/v1/embeddings", #"{"model":"main","input":"free please"}"#), ("/v1/responses", #"{"model":"main","input":"free please"}"#),
            ] {
                let reply = try await h.post(path, body, headers: Self.acme)
                #expect(reply.status == 200, "\(path): \(reply.body)")
                #expect(reply.headers["x-switchboard-provider"] == "secondary", "\(path)")
                #expect(reply.headers["x-switchboard-budget"] == "budget 100 % used → free providers only (secondary)", "\(path)")
            }
            #expect(h.upstream.calls("primary").isEmpty, "the priced provider is never called")
            // The decision trail says why, embeddings included.
            let decisions = h.engine.snapshot(activityLimit: 20).activity.compactMap { entry -> DecisionRecord? in
                if case .decision(let record) = entry { record } else { nil }
            }
            #expect(decisions.count == 3)
            #expect(decisions.allSatisfy { $0.route.budget?.summary == "budget 100 % used → free providers only (secondary)" }, "\(decisions.map { $0.route.budget?.summary ?? "-" })")
            #expect(h.engine.tenants.snapshot().first { $0.name == "acme" }?.counters.steered == 3)
        }
    }

    @Test func aSpentBudgetWithNoZeroPriceProviderIsInsufficientQuotaOnEveryRoute() async throws {
        try await GatewayHarness.run(settings: Self.settings, cache: false, priced: ["primary", "secondary"]) { h in
            h.engine.tenants.change("acme", TenantLimitsChange(dailyBudgetUSD: .some(0)))
            for (path, body) in [
                ("/v1/chat/completions", GatewayHarness.chat("no free", model: "main")), ("/v1/embeddings", #"{"model":"main","input":"no free"}"#),
                ("/v1/responses", #"{"model":"main","input":"no free"}"#),
            ] {
                let reply = try await h.post(path, body, headers: Self.acme)
                #expect(reply.status == 429, "\(path): \(reply.body)")
                #expect(reply.error["code"] as? String == "insufficient_quota", "\(path)")
                #expect(reply.errorMessage.contains("no zero-price provider can"), "\(path): \(reply.errorMessage)")
                #expect(reply.headers["x-should-retry"] == "false", "\(path)")
            }
            #expect(h.upstream.calls("primary").isEmpty && h.upstream.calls("secondary").isEmpty)
            #expect(h.engine.tenants.snapshot().first { $0.name == "acme" }?.counters.throttled[.dailyBudget] == 3)
        }
    }

    @Test func theAdminAPIListsTenantsChangesTheirLimitsAndBlocksThem() async throws {
        try await GatewayHarness.run(settings: Self.settings, cache: false) { h in
            _ = try await h.post(GatewayHarness.chat("hi"), headers: Self.acme)
            let changed = try await h.post("/admin/tenants/acme/limits", #"{"requests_per_minute": 600, "budget": {"daily_usd": 5}, "on_budget": [{"at_percent": 80, "tier": "main"}]}"#, headers: Self.admin)
            #expect(changed.status == 200, "\(changed.body)")
            #expect((changed.json["message"] as? String)?.contains("600 req/min · $5.00/day · 80 % → main") == true, "\(changed.body)")
            let listed = try await h.get("/admin/tenants", headers: Self.admin)
            let tenants = listed.json["tenants"] as? [[String: Any]] ?? []
            let acme = try #require(tenants.first { $0["name"] as? String == "acme" })
            #expect(acme["requests_per_minute"] as? Int == 600)
            #expect(acme["admitted"] as? Int == 1)
            #expect((acme["budget"] as? [String: Any])?["daily_usd"] as? Double == 5)
            #expect(acme["failed_open"] as? Int == 0 && acme["failed_closed"] as? Int == 0)
            // Alone there is no database to lose: no policy, nothing failed open or closed.
            let fleet = try #require(listed.json["shared_state"] as? [String: Any])
            #expect(fleet["state"] as? String == "disabled")
            #expect(fleet["on_unavailable"] == nil || fleet["on_unavailable"] is NSNull)
            #expect(fleet["failed_open"] as? Int == 0 && fleet["failed_closed"] as? Int == 0)

            let bad = try await h.post("/admin/tenants/acme/limits", #"{"requests_per_minute": 0}"#, headers: Self.admin)
            #expect(bad.status == 400)
            #expect(bad.errorMessage.contains("requests_per_minute must be a whole number from 1 to 100000000, or null for no limit; got 0"), "\(bad.body)")
            let typo = try await h.post("/admin/tenants/acme/limits", #"{"request_per_minute": 5}"#, headers: Self.admin)
            #expect(typo.status == 400 && typo.error["param"] as? String == "request_per_minute")
            let badTier = try await h.post("/admin/tenants/acme/limits", #"{"on_budget": [{"at_percent": 80, "tier": "nope"}]}"#, headers: Self.admin)
            #expect(badTier.status == 400 && badTier.errorMessage.contains("no tier named 'nope'"))
            #expect(try await h.post("/admin/tenants/acme/limits", #"{"blocked": true}"#, headers: Self.acme).status == 401)

            #expect(try await h.post("/admin/tenants/acme/limits", #"{"blocked": true}"#, headers: Self.admin).status == 200)
            let blocked = try await h.post(GatewayHarness.chat("hi"), headers: Self.acme)
            #expect(blocked.status == 429)
            #expect(blocked.error["param"] as? String == "blocked")
            #expect(blocked.headers["x-should-retry"] == "false")
            #expect(try await h.post("/admin/tenants/acme/limits", #"{"blocked": false}"#, headers: Self.admin).status == 200)
            #expect(try await h.post(GatewayHarness.chat("hi"), headers: Self.acme).status == 200)
        }
    }

    @Test func metricsExportTheCountersPerTenant() async throws {
        try await GatewayHarness.run(settings: Self.settings, cache: false) { h in
            h.engine.tenants.change("acme", TenantLimitsChange(requestsPerMinute: .some(1), dailyBudgetUSD: .some(2)))
            _ = try await h.post(GatewayHarness.chat("one"), headers: Self.acme)
            _ = try await h.post(GatewayHarness.chat("two"), headers: Self.acme)
            let text = try await h.get("/metrics").body
            #expect(text.contains(#"switchboard_tenant_requests_total{tenant="acme"} 1"#), "\(text)")
            #expect(text.contains(#"switchboard_tenant_throttled_total{tenant="acme",limit="requests_per_minute"} 1"#))
            #expect(text.contains(#"switchboard_tenant_budget_used_ratio{tenant="acme"} 0.000000"#))
            #expect(text.contains(#"switchboard_tenant_remaining_requests{tenant="acme"} 0"#))
            #expect(text.contains(#"switchboard_tenant_shared_state_unavailable_total{tenant="acme",outcome="failed_open"} 0"#))
            #expect(text.contains(#"switchboard_tenant_shared_state_unavailable_total{tenant="acme",outcome="failed_closed"} 0"#))
        }
    }

    /// The bound on one replica: over `t` seconds at most `limit × (1 + t / 60)` requests pass,
    /// however many arrive at once.
    @Test func concurrentRequestsNeverPassTheLimitBeyondItsRefill() async throws {
        try await GatewayHarness.run(settings: Self.settings, cache: false) { h in
            h.engine.tenants.change("acme", TenantLimitsChange(requestsPerMinute: .some(10)))
            let started = Date()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<40 {
                    group.addTask { try await h.post(GatewayHarness.chat("load \(index)", stream: index % 2 == 0), headers: Self.acme).status }
                }
                return try await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
            }
            let elapsed = Date().timeIntervalSince(started)
            let bound = 10 + Int((10 * elapsed / 60).rounded(.down))
            #expect((10...bound).contains(statuses[200, default: 0]), "\(statuses) in \(elapsed) s")
            #expect(statuses[200, default: 0] + statuses[429, default: 0] == 40, "\(statuses)")
        }
    }
}

/// Reading a limits change from JSON: numbers, nulls and booleans kept apart (on Linux 0 and 1
/// also pass `is Bool`).
@Suite("Tenant limits from JSON")
struct TenantLimitsJSONTests {
    static func change(_ json: String) -> Result<TenantLimitsChange, APIError> {
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
        return GatewayServer.limitsChange(object)
    }

    @Test func zeroAndOneAreNumbersAndTrueIsABoolean() throws {
        let change = try Self.change(#"{"requests_per_minute": 1, "budget": {"daily_usd": 0, "monthly_usd": null}, "blocked": true, "on_budget": [{"at_percent": 100, "refuse": true}]}"#).get()
        #expect(change.requestsPerMinute == .some(1))
        #expect(change.dailyBudgetUSD == .some(0))
        #expect(change.monthlyBudgetUSD == .some(nil))
        #expect(change.blocked == true)
        #expect(change.onBudget == [BudgetStep(atPercent: 100, action: .refuse)])
        #expect(change.tokensPerMinute == nil)
    }

    @Test(arguments: [
        (#"{"requests_per_minute": true}"#, "requests_per_minute"),
        (#"{"requests_per_minute": 2.5}"#, "requests_per_minute"),
        (#"{"blocked": 1}"#, "blocked"),
        (#"{"budget": 5}"#, "budget"),
        (#"{"budget": {"daily_usd": "5"}}"#, "budget.daily_usd"),
        (#"{"on_budget": [{"at_percent": 80}]}"#, "on_budget"),
    ])
    func aWrongTypeIsRefusedNamingTheKey(json: String, param: String) {
        guard case .failure(let error) = Self.change(json) else {
            Issue.record("\(json) was accepted")
            return
        }
        #expect(error.param == param, "\(error.message)")
    }
}
