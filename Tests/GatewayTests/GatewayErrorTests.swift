import Foundation
import Gateway
import ServingEngine
import Testing

@Suite("Bad input gets an OpenAI error object and the right status", .timeLimit(.minutes(2)))
struct GatewayErrorTests {
    @Test func malformedJSONIsA400ThatSaysWhere() async throws {
        try await GatewayHarness.run { h in
            let reply = try await h.post("{\"model\": \"auto\",\n \"messages\": [{\"role\": \"user\" \"content\": \"x\"}]}")
            #expect(reply.status == 400)
            #expect(reply.error["type"] as? String == "invalid_request_error")
            #expect(reply.error["code"] as? String == "invalid_json")
            #expect(reply.errorMessage.contains("line 2"), "\(reply.errorMessage)")
            #expect(reply.error.keys.sorted() == ["code", "message", "param", "type"])
        }
    }

    @Test func aTruncatedBodyIsA400() async throws {
        try await GatewayHarness.run { h in
            let reply = try await h.post(#"{"model":"auto","messages":[{"role":"user","content":"x"}"#)
            #expect(reply.status == 400)
            #expect(reply.errorMessage.contains("ends early"))
        }
    }

    @Test func missingAndWrongTypedFieldsAreNamed() async throws {
        try await GatewayHarness.run { h in
            let noMessages = try await h.post(#"{"model":"auto"}"#)
            #expect(noMessages.status == 400)
            #expect(noMessages.error["param"] as? String == "messages")
            let noModel = try await h.post(#"{"messages":[{"role":"user","content":"x"}]}"#)
            #expect(noModel.error["param"] as? String == "model")
            let badType = try await h.post(#"{"model":"auto","messages":[{"role":"user","content":42}]}"#)
            #expect(badType.status == 400)
            #expect(badType.error["param"] as? String == "messages[0].content")
            #expect(badType.errorMessage.contains("number"))
            let badRole = try await h.post(#"{"model":"auto","messages":[{"role":"robot","content":"x"}]}"#)
            #expect(badRole.error["param"] as? String == "messages[0].role")
            let badTemperature = try await h.post(#"{"model":"auto","temperature":"hot","messages":[{"role":"user","content":"x"}]}"#)
            #expect(badTemperature.error["param"] as? String == "temperature")
            let badStream = try await h.post(#"{"model":"auto","stream":"yes","messages":[{"role":"user","content":"x"}]}"#)
            #expect(badStream.error["param"] as? String == "stream")
        }
    }

    @Test func emptyMessagesAreA400() async throws {
        try await GatewayHarness.run { h in
            let reply = try await h.post(#"{"model":"auto","messages":[]}"#)
            #expect(reply.status == 400)
            #expect(reply.error["code"] as? String == "empty_messages")
        }
    }

    @Test func aBodyOverTheLimitIsA413() async throws {
        try await GatewayHarness.run(settings: GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0), maxBodyBytes: 2048)) { h in
            let reply = try await h.post(GatewayHarness.chat(String(repeating: "a", count: 5000)))
            #expect(reply.status == 413)
            #expect(reply.error["code"] as? String == "body_too_large")
            #expect(reply.errorMessage.contains("2048"))
            let fine = try await h.post(GatewayHarness.chat("small"))
            #expect(fine.status == 200)
        }
    }

    @Test func anUnknownModelIsA404() async throws {
        try await GatewayHarness.run { h in
            let reply = try await h.post(GatewayHarness.chat("x", model: "gpt-17"))
            #expect(reply.status == 404)
            #expect(reply.error["code"] as? String == "model_not_found")
            #expect(reply.error["param"] as? String == "model")
        }
    }

    @Test func aTierOrProviderNameGoesToThatChain() async throws {
        try await GatewayHarness.run { h in
            let reply = try await h.post(GatewayHarness.chat("x", model: "secondary"))
            #expect(reply.headers["x-switchboard-provider"] == "secondary")
            let models = try await h.get("/v1/models")
            let ids = (models.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            #expect(ids.contains("auto") && ids.contains("main") && ids.contains("claude-only") && ids.contains("secondary"))
        }
    }

    @Test func theServerSurvivesEveryKindOfBadInput() async throws {
        try await GatewayHarness.run(settings: GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0), maxBodyBytes: 4096)) { h in
            for body in ["", "null", "[]", "{", "\u{0}\u{1}", #"{"model":null,"messages":null}"#, String(repeating: "[", count: 3000), GatewayHarness.chat(String(repeating: "z", count: 9000))] {
                let reply = try await h.post(body)
                #expect((400...499).contains(reply.status), "\(body.prefix(20)) → \(reply.status)")
                #expect(reply.error["message"] is String)
            }
            let health = try await h.get("/healthz")
            #expect(health.status == 200)
        }
    }
}

@Suite("Authentication and tenants", .timeLimit(.minutes(2)))
struct GatewayAuthenticationTests {
    static let keyed = GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0), apiKeys: ["key-acme": "acme", "key-globex": "globex"], adminToken: "admin-secret")

    @Test func aMissingOrWrongKeyIsA401() async throws {
        try await GatewayHarness.run(settings: Self.keyed) { h in
            let missing = try await h.post(GatewayHarness.chat("x"))
            #expect(missing.status == 401)
            #expect(missing.error["code"] as? String == "invalid_api_key")
            let wrong = try await h.post(GatewayHarness.chat("x"), headers: [("authorization", "Bearer key-nope")])
            #expect(wrong.status == 401)
            let right = try await h.post(GatewayHarness.chat("x"), headers: [("authorization", "Bearer key-acme")])
            #expect(right.status == 200)
        }
    }

    @Test func tenantsComeFromKeysAndNeverShareCachedAnswersEvenIfTheUserFieldSaysSo() async throws {
        try await GatewayHarness.run(settings: Self.keyed) { h in
            let acme = [("authorization", "Bearer key-acme")]
            let globex = [("authorization", "Bearer key-globex")]
            _ = try await h.post(GatewayHarness.chat("tenant secret", extra: #","user":"globex""#), headers: acme)
            let other = try await h.post(GatewayHarness.chat("tenant secret", extra: #","user":"acme""#), headers: globex)
            #expect(other.headers["x-switchboard-cache"] == "miss", "globex must not read acme's answer")
            let same = try await h.post(GatewayHarness.chat("tenant secret"), headers: acme)
            #expect(same.headers["x-switchboard-cache"] == "hit-exact")
        }
    }

    @Test func theAdminAPINeedsTheAdminTokenWhenOneIsConfigured() async throws {
        try await GatewayHarness.run(settings: Self.keyed) { h in
            let anonymous = try await h.post("/admin/providers/primary/down", "")
            #expect(anonymous.status == 401)
            let tenantKey = try await h.post("/admin/providers/primary/down", "", headers: [("authorization", "Bearer key-acme")])
            #expect(tenantKey.status == 401)
            let admin = [("authorization", "Bearer admin-secret")]
            let down = try await h.post("/admin/providers/primary/down", "", headers: admin)
            #expect(down.status == 200)
            let list = try await h.get("/admin/providers", headers: admin)
            let primary = (list.json["providers"] as? [[String: Any]])?.first { $0["name"] as? String == "primary" }
            #expect(primary?["state"] as? String == "forced-down")
            let reply = try await h.post(GatewayHarness.chat("after override"), headers: [("authorization", "Bearer key-acme")])
            #expect(reply.headers["x-switchboard-provider"] == "secondary")
            let unknown = try await h.post("/admin/providers/nope/down", "", headers: admin)
            #expect(unknown.status == 404)
            let auto = try await h.post("/admin/providers/primary/auto", "", headers: admin)
            #expect(auto.status == 200)
        }
    }

    @Test func resolvingSettingsRefusesAPublicAddressWithoutKeysUnlessAllowed() throws {
        #expect(throws: GatewayError.self) {
            try GatewaySettings.resolve(GatewayConfiguration(), listen: "0.0.0.0:8080", allowUnauthenticated: false, environment: [:])
        }
        let allowed = try GatewaySettings.resolve(GatewayConfiguration(), listen: "0.0.0.0:8080", allowUnauthenticated: true, environment: [:])
        #expect(allowed.address.port == 8080)
        let keyed = GatewayConfiguration(apiKeys: [.init(environmentVariable: "ACME_KEY", tenant: "acme")])
        let settings = try GatewaySettings.resolve(keyed, listen: "0.0.0.0:8080", allowUnauthenticated: false, environment: ["ACME_KEY": "k1"])
        #expect(settings.apiKeys == ["k1": "acme"])
        #expect(throws: GatewayError.self) {
            try GatewaySettings.resolve(keyed, listen: nil, allowUnauthenticated: false, environment: [:])
        }
        let loopback = try GatewaySettings.resolve(GatewayConfiguration(), listen: nil, allowUnauthenticated: false, environment: [:])
        #expect(loopback.address.description == "127.0.0.1:8080")
    }
}

@Suite("Probes, metrics and the server's life", .timeLimit(.minutes(2)))
struct GatewayOperationsTests {
    @Test func healthzIsAliveAndReadyzFollowsTheProviders() async throws {
        try await GatewayHarness.run { h in
            #expect(try await h.get("/healthz").status == 200)
            #expect(try await h.get("/readyz").status == 200)
            for name in ["primary", "secondary", "claude", "strict", "plain"] {
                _ = try await h.post("/admin/providers/\(name)/down", "")
            }
            let notReady = try await h.get("/readyz")
            #expect(notReady.status == 503)
            _ = try await h.post("/admin/providers/claude/auto", "")
            #expect(try await h.get("/readyz").status == 200)
        }
    }

    @Test func metricsAreInPrometheusTextFormat() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.status(500), .answer(["ok"])])
            _ = try await h.post(GatewayHarness.chat("metrics one"))
            _ = try await h.post(GatewayHarness.chat("metrics one"))
            _ = try await h.post(GatewayHarness.chat("x", model: "nope"))
            let reply = try await h.get("/metrics")
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"]?.hasPrefix("text/plain") == true)
            for family in ["switchboard_requests_total", "switchboard_cache_hits_total{kind=\"exact\"} 1", "switchboard_errors_total{kind=\"unknown_model\"} 1", "switchboard_request_duration_seconds_bucket{tier=\"main\"", "switchboard_provider_duration_seconds_bucket{provider=\"primary\"", "switchboard_provider_failures_total{provider=\"primary\",kind=\"server_error\"} 1", "switchboard_overhead_seconds"] {
                #expect(reply.body.contains(family), "missing \(family)")
            }
        }
    }

    @Test func activeHealthChecksTakeAFailingProviderOutAndGiveItBack() async throws {
        try await GatewayHarness.run(healthCheck: true) { h in
            @Sendable func state() -> String? { h.engine.snapshot().providers.first { $0.name == "primary" }?.state.rawValue }
            h.upstream.setHealthy("primary", false)
            try await waitUntil(.seconds(5)) { state() == "health-check-failing" }
            let reply = try await h.post(GatewayHarness.chat("while primary is sick"))
            #expect(reply.headers["x-switchboard-provider"] == "secondary")
            let admin = try await h.get("/admin/providers")
            let primary = (admin.json["providers"] as? [[String: Any]])?.first { $0["name"] as? String == "primary" }
            #expect((primary?["health_check"] as? String)?.hasPrefix("failing") == true)
            #expect(primary?["state"] as? String == "health-check-failing")
            #expect(primary?["can_answer"] as? Bool == false)
            // A health check is not an operator override, nor an operator act.
            #expect(primary?["override"] as? String == "auto")
            #expect(!h.engine.snapshot().activity.contains { entry in
                if case .event(let event) = entry { return event.kind == .operator }
                return false
            })
            h.upstream.setHealthy("primary", true)
            try await waitUntil(.seconds(5)) { state() != "health-check-failing" }
        }
    }

    @Test func activeHealthChecksNeverUndoAnOperatorsOverride() async throws {
        try await GatewayHarness.run(healthCheck: true) { h in
            _ = try await h.post("/admin/providers/primary/down", "")
            try await Task.sleep(for: .milliseconds(400))
            #expect(h.engine.snapshot().providers.first { $0.name == "primary" }?.state == .forcedDown)
        }
    }

    @Test func aTakenPortIsAClearError() async throws {
        try await GatewayHarness.run { h in
            let port = try #require(h.gateway.address?.port)
            let second = GatewayServer(engine: h.engine, settings: GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: port)), logger: .init(label: "second"))
            await #expect(throws: GatewayError.self) { try await bounded(.seconds(5)) { try await second.run() } }
            do {
                _ = try await bounded(.seconds(5)) { try await second.listeningAddress() }
                Issue.record("listening on a taken port should fail")
            } catch let error as GatewayError {
                #expect(error.isAddressInUse)
                #expect(error.message.contains("already in use"))
            }
        }
    }
}

/// Polls `condition` every 20 ms until it holds, failing after `limit`.
func waitUntil(_ limit: Duration, _ condition: @escaping @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut() }
        try await Task.sleep(for: .milliseconds(20))
    }
}
