import Foundation
@testable import Gateway
import ServingEngine
import Testing

/// Tenant isolation, admin protection, secrets and prompt privacy, attacked through the real
/// HTTP gateway.
@Suite("Security through the HTTP gateway", .timeLimit(.minutes(2)))
struct GatewaySecurityTests {
    static let keyed = GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0), apiKeys: ["gw-SECRET-acme-key": "acme", "gw-SECRET-globex-key": "globex"], adminToken: "admin-SECRET-token")
    static let acme = [("authorization", "Bearer gw-SECRET-acme-key")]
    static let globex = [("authorization", "Bearer gw-SECRET-globex-key")]
    static let admin = [("authorization", "Bearer admin-SECRET-token")]

    static let prompts = [
        "What is our refund policy for enterprise customers?",
        "what is our refund policy for enterprise customers",
        "  What is our refund policy for Enterprise customers??  ",
        "Summarize the Q3 board memo in one sentence.",
        "Summarise the Q3 board memo in one sentence.",
        "Give me a one-line definition of photosynthesis.",
        "One-line definition of photosynthesis, please.",
    ]

    /// Sends `prompt` with a freshly scripted, unique upstream answer and returns the text received.
    static func ask(_ h: GatewayHarness, _ prompt: String, answer: String, stream: Bool, headers: [(String, String)], extra: String = "") async throws -> (text: String, cache: String?) {
        h.upstream.reset("primary")
        h.upstream.script("primary", [.answer([answer])])
        let reply = try await h.post(GatewayHarness.chat(prompt, stream: stream, extra: extra), headers: headers)
        #expect(reply.status == 200, "\(reply.body)")
        return (stream ? reply.streamedText : reply.content, reply.headers["x-switchboard-cache"])
    }

    @Test func tenantsNeverReceiveEachOthersCachedAnswersExactSemanticOrStreamed() async throws {
        try await GatewayHarness.run(settings: Self.keyed, similarityThreshold: 0.5) { h in
            var acmeAnswers = Set<String>()
            var acmeOutcomes: [String] = []
            for (index, prompt) in Self.prompts.enumerated() {
                let (text, cache) = try await Self.ask(h, prompt, answer: "acme private answer \(index)", stream: index % 2 == 1, headers: Self.acme)
                acmeAnswers.insert(text)
                acmeOutcomes.append(cache ?? "")
            }
            #expect(acmeOutcomes.contains("hit-exact") && acmeOutcomes.contains("hit-semantic"), "acme's own paraphrases must hit, or this proves nothing: \(acmeOutcomes)")
            // A streamed replay of acme's cached answer reaches acme.
            let replay = try await h.post(GatewayHarness.chat(Self.prompts[0], stream: true), headers: Self.acme)
            #expect(replay.headers["x-switchboard-cache"] == "hit-exact" && acmeAnswers.contains(replay.streamedText))

            // globex tries the same and near-identical prompts, plain and streamed, and claims to
            // be acme in every way a client can that is not the key.
            let disguises: [(headers: [(String, String)], extra: String)] = [
                (Self.globex, ""),
                (Self.globex, #","user":"acme""#),
                (Self.globex + [("openai-organization", "acme"), ("x-tenant", "acme")], ""),
                (Self.globex + [("cache-control", "only-if-cached")], #","metadata":{"tenant":"acme"}"#),
            ]
            var number = 0
            for disguise in disguises {
                for prompt in Self.prompts {
                    number += 1
                    for stream in [false, true] {
                        let (text, cache) = try await Self.ask(h, prompt, answer: "globex answer \(number) \(stream)", stream: stream, headers: disguise.headers, extra: disguise.extra)
                        #expect(!acmeAnswers.contains(text), "globex received acme's answer '\(text)' (\(cache ?? "?")) for '\(prompt)'")
                    }
                }
            }
            // A key that is not configured gets nothing at all.
            let stranger = try await h.post(GatewayHarness.chat(Self.prompts[0]), headers: [("authorization", "Bearer gw-SECRET-acme-keyX")])
            #expect(stranger.status == 401 && !acmeAnswers.contains { stranger.body.contains($0) })
        }
    }

    @Test func invalidatingOneTenantLeavesTheOtherAndReportsExposeNoPrompts() async throws {
        try await GatewayHarness.run(settings: Self.keyed) { h in
            let prompt = "the shared confidential question 42"
            _ = try await Self.ask(h, prompt, answer: "acme confidential answer", stream: false, headers: Self.acme)
            _ = try await Self.ask(h, prompt, answer: "globex confidential answer", stream: false, headers: Self.globex)
            #expect(try await h.post(GatewayHarness.chat(prompt), headers: Self.acme).headers["x-switchboard-cache"] == "hit-exact")
            #expect(try await h.post(GatewayHarness.chat(prompt), headers: Self.globex).headers["x-switchboard-cache"] == "hit-exact")

            // A tenant's key cannot invalidate anything, its own or the other's.
            for body in ["{}", #"{"tenant":"globex"}"#, #"{"tenant":"acme"}"#] {
                #expect(try await h.post("/admin/cache/invalidate", body, headers: Self.acme).status == 401)
            }
            #expect(try await h.post(GatewayHarness.chat(prompt), headers: Self.globex).headers["x-switchboard-cache"] == "hit-exact")

            let invalidated = try await h.post("/admin/cache/invalidate", #"{"tenant":"acme"}"#, headers: Self.admin)
            #expect(invalidated.status == 200)
            h.upstream.reset("primary")
            #expect(try await h.post(GatewayHarness.chat(prompt), headers: Self.acme).headers["x-switchboard-cache"] == "miss")
            let other = try await h.post(GatewayHarness.chat(prompt), headers: Self.globex)
            #expect(other.headers["x-switchboard-cache"] == "hit-exact" && other.content == "globex confidential answer")

            // Nothing that lists or reports shows a prompt or an answer.
            let reports = [
                try await h.get("/admin/providers", headers: Self.admin),
                try await h.get("/metrics"),
                try await h.get("/v1/models", headers: Self.globex),
                try await h.get("/readyz"),
                invalidated,
            ]
            for report in reports {
                for text in [prompt, "confidential answer"] {
                    #expect(!report.body.contains(text), "a report contains '\(text)': \(report.body.prefix(200))")
                }
            }
        }
    }

    /// Every admin route, as registered in the router's source, so that a new one cannot be
    /// added without being checked here.
    static let adminRoutes: [(method: String, path: String, body: String)] = [
        ("GET", "/admin/providers", ""),
        ("POST", "/admin/providers/primary/down", ""),
        ("POST", "/admin/providers/primary/up", ""),
        ("POST", "/admin/providers/primary/auto", ""),
        ("POST", "/admin/router/threshold", #"{"value":0.3}"#),
        ("POST", "/admin/cache/invalidate", "{}"),
        ("GET", "/admin/stream?frames=1", ""),
        ("POST", "/admin/console/chat", #"{"prompt":"hi","tenant":"acme"}"#),
        ("GET", "/admin/tenants", ""),
        ("POST", "/admin/tenants/acme/limits", #"{"blocked":true}"#),
    ]

    @Test func theRouteTableCoversEveryAdminRoute() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/Gateway/Server/GatewayServer+Routes.swift").standardizedFileURL
        let text = try String(contentsOf: source, encoding: .utf8)
        let registered = text.split(separator: "\n").compactMap { line -> String? in
            guard let start = line.range(of: "router."), let quote = line.range(of: "(\"/admin") else { return nil }
            let method = line[start.upperBound..<quote.lowerBound].uppercased()
            let path = line[line.index(quote.lowerBound, offsetBy: 2)...].prefix { $0 != "\"" }
            return "\(method) \(path)"
        }
        #expect(registered.count >= 4, "could not read the admin routes from \(source.path)")
        let covered = Self.adminRoutes.map { route in
            "\(route.method) \(route.path.prefix { $0 != "?" }.replacingOccurrences(of: "primary/down", with: ":name/:action").replacingOccurrences(of: "primary/up", with: ":name/:action").replacingOccurrences(of: "primary/auto", with: ":name/:action").replacingOccurrences(of: "tenants/acme/limits", with: "tenants/:id/limits"))"
        }
        for route in registered {
            #expect(covered.contains(route), "admin route \(route) is not in GatewaySecurityTests.adminRoutes")
        }
    }

    @Test func everyAdminRouteRefusesEveryCallWithoutTheAdminToken() async throws {
        try await GatewayHarness.run(settings: Self.keyed) { h in
            _ = try await Self.ask(h, "cached before the attack", answer: "kept", stream: false, headers: Self.acme)
            let attempts: [[(String, String)]] = [
                [],
                Self.acme,
                Self.globex,
                [("authorization", "Bearer admin-SECRET-toke")],
                [("authorization", "Bearer admin-SECRET-tokenX")],
                [("authorization", "Bearer ADMIN-SECRET-TOKEN")],
                [("authorization", "Basic admin-SECRET-token")],
                [("authorization", "admin-SECRET-token")],
                [("authorization", "Bearer")],
                [("authorization", "Bearer ")],
                [("x-api-key", "admin-SECRET-token")],
                [("x-admin-token", "admin-SECRET-token")],
            ]
            for route in Self.adminRoutes {
                for credentials in attempts {
                    let reply = route.method == "GET" ? try await h.get(route.path, headers: credentials) : try await h.post(route.path, route.body, headers: credentials)
                    #expect(reply.status == 401, "\(route.method) \(route.path) with \(credentials.map(\.1)) → \(reply.status)")
                    #expect(reply.error["code"] as? String == "invalid_admin_token")
                    #expect(!reply.body.contains("admin-SECRET-token"))
                }
                // A query parameter is not a credential either.
                let query = route.method == "GET" ? try await h.get(route.path + "?token=admin-SECRET-token") : try await h.post(route.path + "?token=admin-SECRET-token", route.body)
                #expect(query.status == 401)
            }
            // Nothing changed: every provider is still automatic and the cache still answers.
            #expect(h.engine.snapshot().providers.allSatisfy { $0.override == .auto })
            #expect(try await h.post(GatewayHarness.chat("cached before the attack"), headers: Self.acme).headers["x-switchboard-cache"] == "hit-exact")
            // The right token opens each route.
            for route in Self.adminRoutes {
                let reply = route.method == "GET" ? try await h.get(route.path, headers: Self.admin) : try await h.post(route.path, route.body, headers: Self.admin)
                #expect(reply.status != 401 && reply.status != 403, "\(route.path) → \(reply.status)")
            }
        }
    }

    @Test func withKeysButNoAdminTokenTheAdminAPIIsClosed() async throws {
        let settings = GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0), apiKeys: ["gw-SECRET-acme-key": "acme"])
        try await GatewayHarness.run(settings: settings) { h in
            for route in Self.adminRoutes {
                for credentials in [[], Self.acme] {
                    let reply = route.method == "GET" ? try await h.get(route.path, headers: credentials) : try await h.post(route.path, route.body, headers: credentials)
                    #expect(reply.status == 403 && reply.error["code"] as? String == "admin_disabled", "\(route.path) → \(reply.status)")
                }
            }
        }
    }

    @Test func promptsAndAnswersStayOutOfTheLogsUnlessAskedFor() async throws {
        let prompt = "PROMPT-canary-7f3a private words"
        let answer = "ANSWER-canary-91c2"
        for logPrompts in [false, true] {
            let lines = RecordingLogHandler.Lines()
            var settings = Self.keyed
            settings.logPrompts = logPrompts
            try await GatewayHarness.run(settings: settings, logger: RecordingLogHandler.logger(lines)) { h in
                _ = try await Self.ask(h, prompt, answer: answer, stream: false, headers: Self.acme)
                _ = try await Self.ask(h, prompt, answer: answer, stream: true, headers: Self.acme)
                _ = try await Self.ask(h, prompt + " again", answer: answer, stream: true, headers: Self.acme)
                // The prompt where a field of another type belongs: the client is told, the log is not.
                for body in [
                    #"{"model":"auto","messages":["\#(prompt)"]}"#,
                    #"{"model":"auto","messages":"\#(prompt)"}"#,
                    #"{"model":"auto","messages":[{"role":"\#(prompt)","content":"x"}]}"#,
                    #"{"model":"auto","temperature":"\#(prompt)","messages":[{"role":"user","content":"x"}]}"#,
                    #"{"model":"auto","stop":[1,"\#(prompt)"],"messages":[{"role":"user","content":"x"}]}"#,
                    #"{"model":"auto","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"\#(prompt)"}}]}]}"#,
                    // A raw control character inside the string: the JSON error quotes a fragment.
                    "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"\(prompt)\u{01}\"}]}",
                ] {
                    let reply = try await h.post(body, headers: Self.acme)
                    #expect(reply.status == 400, "\(reply.body)")
                }
                // An upstream that quotes the prompt back in its error.
                h.upstream.reset("primary")
                h.upstream.script("primary", [.status(400, body: #"{"error":{"message":"cannot answer: \#(prompt)"}}"#)])
                _ = try await h.post(GatewayHarness.chat(prompt + " refused"), headers: Self.acme)
            }
            let all = lines.all
            #expect(all.contains { $0.contains("POST /v1/chat/completions") }, "the requests were not logged at all")
            #expect(all.contains { $0.contains("request refused") })
            #expect(!all.contains { $0.contains(answer) }, "an answer was logged: \(all.filter { $0.contains(answer) })")
            if logPrompts {
                #expect(all.contains { $0.contains(prompt) }, "log_prompts is on but no line has the prompt")
            } else {
                #expect(!all.contains { $0.contains("PROMPT-canary") }, "a prompt was logged with log_prompts off: \(all.filter { $0.contains("PROMPT-canary") })")
            }
        }
    }

    @Test func providerAndGatewaySecretsNeverReachResponsesLogsOrMetrics() async throws {
        let lines = RecordingLogHandler.Lines()
        let primaryKey = GatewayHarness.secrets["PRIMARY_KEY"]!, claudeKey = GatewayHarness.secrets["CLAUDE_KEY"]!
        let secrets = [primaryKey, claudeKey, "gw-SECRET-acme-key", "gw-SECRET-globex-key", "admin-SECRET-token", "gw-WRONG-SECRET-key"]
        try await GatewayHarness.run(settings: Self.keyed, logger: RecordingLogHandler.logger(lines)) { h in
            var replies: [GatewayHarness.Reply] = []
            // Upstreams that echo the key they were sent, in a status body, mid-stream and in garbage.
            h.upstream.script("primary", [
                .status(401, body: #"{"error":{"message":"Incorrect API key provided: \#(primaryKey)"}}"#),
            ])
            h.upstream.script("secondary", [.status(500, body: "internal error near \(primaryKey)"), .status(500)])
            replies.append(try await h.post(GatewayHarness.chat("echo one"), headers: Self.acme))
            h.upstream.script("primary", [.raw(Array("data: {\"error\":{\"message\":\"key \(primaryKey) revoked\"}}\n\n".utf8)), .raw(Array("data: not json \(primaryKey)\n\n".utf8))])
            replies.append(try await h.post(GatewayHarness.chat("echo two", stream: true), headers: Self.acme))
            h.upstream.script("claude", [.status(401, body: #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key \#(claudeKey)"}}"#)])
            replies.append(try await h.post(GatewayHarness.chat("echo three", model: "claude-only"), headers: Self.acme))
            // Wrong, near-miss and misplaced gateway credentials.
            for credentials in [[("authorization", "Bearer gw-WRONG-SECRET-key")], [("authorization", "gw-SECRET-acme-key")], [("x-api-key", "gw-SECRET-acme-key")], Self.globex.map { ($0.0, $0.1 + " ") }] {
                replies.append(try await h.post(GatewayHarness.chat("who am I"), headers: credentials))
                replies.append(try await h.get("/admin/providers", headers: credentials))
            }
            replies.append(try await h.post("/admin/cache/invalidate", "{", headers: Self.admin))
            replies.append(try await h.post("/admin/providers/nope/down", "", headers: Self.admin))
            replies.append(try await h.get("/admin/providers", headers: Self.admin))
            replies.append(try await h.get("/metrics"))
            replies.append(try await h.get("/readyz"))
            // The keys were really in use: the upstream saw them.
            #expect(h.upstream.calls("primary").contains { $0.authorization == "Bearer \(primaryKey)" })
            #expect(h.upstream.calls("claude").contains { $0.apiKeyHeader == claudeKey })
            for reply in replies {
                let text = reply.body + reply.headers.map { "\($0.key): \($0.value)" }.joined(separator: "\n")
                for secret in secrets {
                    #expect(!text.contains(secret), "a response contains \(secret): \(text.prefix(300))")
                }
            }
        }
        let all = lines.all
        #expect(all.count > 5)
        for secret in secrets {
            #expect(!all.contains { $0.contains(secret) }, "the log contains \(secret): \(all.filter { $0.contains(secret) })")
        }
    }
}
