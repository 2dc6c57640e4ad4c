import AsyncHTTPClient
import Foundation
@testable import Gateway
import NIOCore
import ServingEngine
import Testing

/// Every request limit, through the real HTTP gateway: each violation is an OpenAI-style error
/// with the right status, naming the limit, the value seen and the key that raises it.
@Suite("Request limits", .timeLimit(.minutes(2)))
struct GatewayLimitsTests {
    static func settings(maxBodyBytes: Int = 1 << 20, maxHeaderBytes: Int = 16 << 10, maxMessages: Int = 1024, maxPromptBytes: Int = 512 << 10, maxConcurrentPerKey: Int = 128) -> GatewaySettings {
        GatewaySettings(
            address: GatewayAddress(host: "127.0.0.1", port: 0), apiKeys: ["key-acme": "acme", "key-globex": "globex"], adminToken: "admin-secret",
            maxBodyBytes: maxBodyBytes, maxHeaderBytes: maxHeaderBytes, maxMessages: maxMessages, maxPromptBytes: maxPromptBytes, maxConcurrentPerKey: maxConcurrentPerKey)
    }

    static let acme = [("authorization", "Bearer key-acme")]
    static let globex = [("authorization", "Bearer key-globex")]

    @Test func aBodyOverTheLimitIsA413WhetherDeclaredOrStreamed() async throws {
        try await GatewayHarness.run(settings: Self.settings(maxBodyBytes: 2048)) { h in
            let declared = try await h.post(GatewayHarness.chat(String(repeating: "a", count: 5000)), headers: Self.acme)
            #expect(declared.status == 413)
            #expect(declared.error["code"] as? String == "body_too_large")
            #expect(declared.errorMessage.contains("is 5073 bytes") && declared.errorMessage.contains("2048") && declared.errorMessage.contains("gateway.max_body_bytes"), "\(declared.errorMessage)")
            // Chunked, with no Content-Length: the limit holds while reading.
            var request = HTTPClientRequest(url: h.baseURL + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "authorization", value: "Bearer key-acme")
            let body = GatewayHarness.chat(String(repeating: "b", count: 5000))
            request.body = .stream(AsyncStream { continuation in
                for piece in Array(body.utf8).chunked(1000) { continuation.yield(ByteBuffer(bytes: piece)) }
                continuation.finish()
            }, length: .unknown)
            let response = try await h.client.execute(request, timeout: .seconds(10))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(response.status.code == 413, "\(text)")
            #expect(text.contains("more than 2048 bytes") && text.contains("gateway.max_body_bytes"), "\(text)")
            #expect(try await h.post(GatewayHarness.chat("small"), headers: Self.acme).status == 200)
        }
    }

    @Test func tooManyMessagesIsA400NamingTheCountAndTheKey() async throws {
        try await GatewayHarness.run(settings: Self.settings(maxMessages: 3)) { h in
            let messages = (0..<4).map { #"{"role":"user","content":"m\#($0)"}"# }.joined(separator: ",")
            let reply = try await h.post(#"{"model":"auto","messages":[\#(messages)]}"#, headers: Self.acme)
            #expect(reply.status == 400)
            #expect(reply.error["code"] as? String == "too_many_messages")
            #expect(reply.error["param"] as? String == "messages")
            #expect(reply.errorMessage.contains("has 4 messages") && reply.errorMessage.contains("limit of 3") && reply.errorMessage.contains("gateway.max_messages"), "\(reply.errorMessage)")
            #expect(h.upstream.calls("primary").isEmpty, "a refused request must not reach a provider")
        }
    }

    @Test func aPromptOverTheLimitIsA400NamingItsSizeAndTheKey() async throws {
        try await GatewayHarness.run(settings: Self.settings(maxPromptBytes: 100)) { h in
            let reply = try await h.post(#"{"model":"auto","messages":[{"role":"system","content":"\#(String(repeating: "s", count: 60))"},{"role":"user","content":"\#(String(repeating: "u", count: 60))"}]}"#, headers: Self.acme)
            #expect(reply.status == 400)
            #expect(reply.error["code"] as? String == "prompt_too_long")
            #expect(reply.errorMessage.contains("120 bytes") && reply.errorMessage.contains("limit of 100 bytes") && reply.errorMessage.contains("gateway.max_prompt_bytes"), "\(reply.errorMessage)")
            #expect(try await h.post(GatewayHarness.chat(String(repeating: "u", count: 100)), headers: Self.acme).status == 200)
        }
    }

    @Test func headersOverTheLimitAreA431OnEveryRoute() async throws {
        try await GatewayHarness.run(settings: Self.settings(maxHeaderBytes: 2048)) { h in
            let big = Self.acme + [("x-padding", String(repeating: "p", count: 3000))]
            let chat = try await h.post(GatewayHarness.chat("hello"), headers: big)
            #expect(chat.status == 431)
            #expect(chat.error["code"] as? String == "headers_too_large")
            #expect(chat.errorMessage.contains("limit of 2048 bytes") && chat.errorMessage.contains("gateway.max_header_bytes"), "\(chat.errorMessage)")
            // Many small headers count as much as one big one.
            let many = Self.acme + (0..<100).map { ("x-h\($0)", String(repeating: "v", count: 20)) }
            #expect(try await h.post(GatewayHarness.chat("hello"), headers: many).status == 431)
            #expect(try await h.get("/healthz", headers: big).status == 431)
            #expect(try await h.get("/admin/providers", headers: [("authorization", "Bearer admin-secret")] + big).status == 431)
            #expect(try await h.post(GatewayHarness.chat("hello"), headers: Self.acme).status == 200)
        }
    }

    @Test func aKeyAtItsConcurrencyLimitGetsA429WithRetryAfterWhileOtherKeysGoOn() async throws {
        try await GatewayHarness.run(settings: Self.settings(maxConcurrentPerKey: 1)) { h in
            h.upstream.script("primary", [.slow(.milliseconds(600), ["slow answer"])])
            let first = Task { try await h.post(GatewayHarness.chat("the slow one"), headers: Self.acme) }
            try await waitUntil(.seconds(5)) { h.gateway.slots.inFlight("key-acme") == 1 }
            let refused = try await h.post(GatewayHarness.chat("a second one"), headers: Self.acme)
            #expect(refused.status == 429)
            #expect(refused.headers["retry-after"] == "1")
            #expect(refused.error["code"] as? String == "too_many_concurrent_requests")
            #expect(refused.errorMessage.contains("1 requests in flight") && refused.errorMessage.contains("gateway.max_concurrent_per_key"), "\(refused.errorMessage)")
            // The limit is per key: another tenant is not held up.
            #expect(try await h.post(GatewayHarness.chat("another tenant"), headers: Self.globex).status == 200)
            #expect(try await first.value.status == 200)
            #expect(h.gateway.slots.inFlight("key-acme") == 0)
            #expect(try await h.post(GatewayHarness.chat("a second one"), headers: Self.acme).status == 200)
        }
    }

    @Test func theSlotIsGivenBackAfterErrorsOfEveryKind() async throws {
        try await GatewayHarness.run(settings: Self.settings(maxBodyBytes: 2048, maxMessages: 2, maxConcurrentPerKey: 1)) { h in
            h.upstream.script("primary", [.status(400), .status(401)])
            h.upstream.script("secondary", [.status(500), .status(500)])
            let failures: [(String, Int)] = [
                ("{", 400),
                (GatewayHarness.chat(String(repeating: "x", count: 3000)), 413),
                (#"{"model":"auto","messages":[{"role":"user","content":"1"},{"role":"user","content":"2"},{"role":"user","content":"3"}]}"#, 400),
                (GatewayHarness.chat("x", model: "no-such-model"), 404),
                (GatewayHarness.chat("refused upstream"), 400),
                (GatewayHarness.chat("every provider fails", stream: true), 502),
            ]
            for (body, status) in failures {
                let reply = try await h.post(body, headers: Self.acme)
                #expect(reply.status == status, "\(body.prefix(40)): \(reply.status) \(reply.errorMessage)")
                #expect(h.gateway.slots.inFlight("key-acme") == 0, "after \(status) for \(body.prefix(40))")
            }
            // A stream that breaks after it began ends with an error event, and frees the slot too.
            h.upstream.script("primary", [.drop(["half an ", "answer"])])
            let broken = try await h.post(GatewayHarness.chat("breaks mid-stream", stream: true), headers: Self.acme)
            #expect(broken.body.contains("\"error\""))
            try await waitUntil(.seconds(5)) { h.gateway.slots.inFlight("key-acme") == 0 }
            #expect(try await h.post(GatewayHarness.chat("fine now", stream: true), headers: Self.acme).status == 200)
            // The body's last bytes can reach the client a moment before the body writer returns.
            try await waitUntil(.seconds(5)) { h.gateway.slots.inFlight("key-acme") == 0 }
        }
    }

    @Test func theSlotIsGivenBackWhenTheClientDisconnectsOrCancelsAStream() async throws {
        try await GatewayHarness.run(settings: Self.settings(maxConcurrentPerKey: 1)) { h in
            // A complete answer the client stops waiting for: it closes the connection once the
            // gateway has admitted the request.
            h.upstream.script("primary", [.slow(.milliseconds(700), ["late"])])
            let impatient = HTTPClient(eventLoopGroupProvider: .singleton)
            var request = HTTPClientRequest(url: h.baseURL + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "authorization", value: "Bearer key-acme")
            request.body = .bytes(ByteBuffer(string: GatewayHarness.chat("nobody waits for this")))
            let sent = request
            let waiting = Task { try await impatient.execute(sent, timeout: .seconds(10)) }
            try await waitUntil(.seconds(5)) { h.gateway.slots.inFlight("key-acme") == 1 }
            try await impatient.shutdown()
            #expect(await (try? waiting.value) == nil, "the request should have been cut off")
            try await waitUntil(.seconds(5)) { h.gateway.slots.inFlight("key-acme") == 0 }
            #expect(try await h.post(GatewayHarness.chat("next"), headers: Self.acme).status == 200)

            // A stream the client walks away from after its first chunk.
            h.upstream.script("primary", [.trickle(["one ", "two ", "three ", "four ", "five"], every: .milliseconds(300))])
            let reader = HTTPClient(eventLoopGroupProvider: .singleton)
            request.body = .bytes(ByteBuffer(string: GatewayHarness.chat("a stream to abandon", stream: true)))
            let response = try await reader.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 200)
            var chunks = response.body.makeAsyncIterator()
            _ = try await chunks.next()
            #expect(h.gateway.slots.inFlight("key-acme") == 1, "the stream holds its slot while it runs")
            try await reader.shutdown()
            try await waitUntil(.seconds(5)) { h.gateway.slots.inFlight("key-acme") == 0 }
            #expect(try await h.post(GatewayHarness.chat("after the abandoned stream"), headers: Self.acme).status == 200)
        }
    }

    @Test func anUpstreamBodyOverTheLimitFailsThatAttemptAndTheCascadeMovesOn() async throws {
        // Generous timeouts: what must fail these attempts is the size, never the clock.
        try await GatewayHarness.run(settings: Self.settings(), timeoutMs: 5000, deadlineMs: 20000, maxUpstreamResponseBytes: 64 << 10) { h in
            // A whole JSON body, and a stream line that never ends: no text reached the caller,
            // so the next provider answers.
            h.upstream.script("primary", [.hugeJSON(bytes: 200 << 10), .raw(Array(("data: {\"choices\":\"" + String(repeating: "z", count: 200 << 10)).utf8))])
            let reply = try await h.post(GatewayHarness.chat("big upstream answers"), headers: Self.acme)
            #expect(reply.status == 200, "\(reply.body)")
            #expect(reply.headers["x-switchboard-provider"] == "secondary")
            #expect(reply.headers["x-switchboard-attempts"] == "3")
            #expect(reply.content == "fallback")
            let metrics = try await h.get("/metrics")
            #expect(metrics.body.contains("switchboard_provider_failures_total{provider=\"primary\",kind=\"bad_response\"} 2"), "\(metrics.body.split(separator: "\n").filter { $0.contains("failures") })")
        }
    }

    @Test func anEndlessUpstreamStreamIsCutAtTheLimitWithAClearError() async throws {
        try await GatewayHarness.run(settings: Self.settings(), timeoutMs: 5000, deadlineMs: 20000, maxUpstreamResponseBytes: 64 << 10) { h in
            // Text already reached the caller, so the answer cannot move to another provider:
            // it ends with an error that names the limit.
            h.upstream.script("primary", [.endless(bytes: 4 << 20)])
            let openai = try await h.post(GatewayHarness.chat("never stops"), headers: Self.acme)
            #expect(openai.status == 502)
            #expect(openai.errorMessage.contains("primary sent more than 65536 bytes") && openai.errorMessage.contains("gateway.max_upstream_response_bytes"), "\(openai.errorMessage)")
            h.upstream.script("claude", [.endless(bytes: 4 << 20)])
            let anthropic = try await h.post(GatewayHarness.chat("never stops either", model: "claude-only", stream: true), headers: Self.acme)
            #expect(anthropic.body.contains("claude sent more than 65536 bytes"), "\(anthropic.body.suffix(300))")
            #expect(!anthropic.body.contains("[DONE]"))
            // Nothing broken is cached.
            h.upstream.script("primary", [.answer(["short"])])
            let again = try await h.post(GatewayHarness.chat("never stops"), headers: Self.acme)
            #expect(again.headers["x-switchboard-cache"] == "miss" && again.content == "short")
        }
    }
}

extension Array {
    /// The elements in consecutive pieces of at most `size`.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
