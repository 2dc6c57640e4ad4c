import Foundation
import Gateway
import ServingEngine
import Testing

@Suite("POST /v1/chat/completions through the gateway", .timeLimit(.minutes(2)))
struct GatewayChatCompletionTests {
    @Test func aNonStreamedAnswerHasTheOpenAIShapeAndSaysWhatHappenedInItsHeaders() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.answer(["Hello", ", world"])])
            let reply = try await h.post(GatewayHarness.chat("say hello"))
            #expect(reply.status == 200)
            let json = reply.json
            #expect((json["id"] as? String)?.hasPrefix("chatcmpl-") == true)
            #expect(json["object"] as? String == "chat.completion")
            #expect(json["created"] is NSNumber)
            #expect(json["model"] as? String == "fake-a")
            #expect(reply.content == "Hello, world")
            let choice = (json["choices"] as? [[String: Any]])?.first
            #expect(choice?["finish_reason"] as? String == "stop")
            #expect((choice?["message"] as? [String: Any])?["role"] as? String == "assistant")
            let usage = json["usage"] as? [String: Any]
            #expect(usage?["prompt_tokens"] as? Int == 9, "usage is taken from the upstream")
            #expect(usage?["completion_tokens"] as? Int == 2)
            #expect(usage?["total_tokens"] as? Int == 11)
            #expect(reply.headers["x-switchboard-cache"] == "miss")
            #expect(reply.headers["x-switchboard-tier"] == "main")
            #expect(reply.headers["x-switchboard-provider"] == "primary")
            #expect(reply.headers["x-switchboard-attempts"] == "1")
            let overhead = try #require(reply.headers["x-switchboard-overhead-ms"].flatMap(Double.init))
            #expect(overhead >= 0 && overhead < 1000)
        }
    }

    @Test func theUpstreamReceivesTheKeyFromTheEnvironmentAndTheClientsParameters() async throws {
        try await GatewayHarness.run { h in
            _ = try await h.post(#"{"model":"auto","temperature":0.2,"max_tokens":50,"stop":"END","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}"#)
            let call = try #require(h.upstream.calls("primary").first)
            #expect(call.authorization == "Bearer sk-primary-SECRET-123")
            let body = call.json
            #expect(body["model"] as? String == "fake-a")
            #expect(body["stream"] as? Bool == true)
            #expect(body["max_tokens"] as? Int == 50)
            #expect(body["stop"] as? String == "END", "forwarded as the client sent it")
            #expect((body["messages"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test func theSameRequestAgainIsAnExactCacheHitThatCallsNoProvider() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.answer(["cached ", "answer"])])
            let first = try await h.post(GatewayHarness.chat("what is a cache?"))
            let second = try await h.post(GatewayHarness.chat("what is a cache?"))
            #expect(first.headers["x-switchboard-cache"] == "miss")
            #expect(second.headers["x-switchboard-cache"] == "hit-exact")
            #expect(second.headers["x-switchboard-provider"] == "cache")
            #expect(second.headers["x-switchboard-attempts"] == "0")
            #expect(second.content == "cached answer")
            #expect(h.upstream.calls("primary").count == 1)
        }
    }

    @Test func cacheControlNoCacheBypassesTheCacheAndNoStoreDoesNotStore() async throws {
        try await GatewayHarness.run { h in
            _ = try await h.post(GatewayHarness.chat("bypass me"))
            let bypassed = try await h.post(GatewayHarness.chat("bypass me"), headers: [("cache-control", "no-cache")])
            #expect(bypassed.headers["x-switchboard-cache"] == "bypass")
            #expect(h.upstream.calls("primary").count == 2)

            _ = try await h.post(GatewayHarness.chat("never stored"), headers: [("cache-control", "no-store")])
            let after = try await h.post(GatewayHarness.chat("never stored"))
            #expect(after.headers["x-switchboard-cache"] == "miss")
        }
    }

    @Test func aStreamedAnswerIsPassedThroughChunkByChunkAndEndsWithFinishUsageAndDone() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.answer(["one ", "two ", "three"])])
            let reply = try await h.post(GatewayHarness.chat("count", stream: true, extra: #","stream_options":{"include_usage":true}"#))
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            #expect(reply.headers["x-switchboard-provider"] == "primary")
            #expect(reply.headers["x-switchboard-cache"] == "miss")
            let events = reply.events
            #expect(events.last == "[DONE]")
            let objects = events.dropLast().compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            #expect(objects.count == events.count - 1, "every event but [DONE] is JSON")
            #expect(objects.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
            let firstDelta = ((objects.first?["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])
            #expect(firstDelta?["role"] as? String == "assistant")
            #expect(reply.streamedText == "one two three")
            let finishes = objects.compactMap { ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String }
            #expect(finishes == ["stop"], "exactly one chunk carries finish_reason")
            let usage = objects.last?["usage"] as? [String: Any]
            #expect(usage?["completion_tokens"] as? Int == 3)
            #expect((objects.last?["choices"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aStreamsOverheadHeaderLeavesOutTheProvidersTimeToItsFirstPiece() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.slow(.milliseconds(300), ["late ", "answer"])])
            let reply = try await h.post(GatewayHarness.chat("wait for it", stream: true))
            #expect(reply.streamedText == "late answer")
            // The header goes out with the first token, 300 ms or more after the request; the
            // provider's part of that is not Switchboard's overhead.
            let overhead = try #require(reply.headers["x-switchboard-overhead-ms"].flatMap(Double.init))
            #expect(overhead >= 0 && overhead < 250)
        }
    }

    @Test func aStreamedCacheHitReplaysTheSameText() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.answer(["replayed ", "from ", "cache"])])
            let first = try await h.post(GatewayHarness.chat("stream twice", stream: true))
            let second = try await h.post(GatewayHarness.chat("stream twice", stream: true))
            #expect(second.headers["x-switchboard-cache"] == "hit-exact")
            #expect(second.streamedText == first.streamedText)
            #expect(second.streamedText == "replayed from cache")
            #expect(second.events.last == "[DONE]")
            #expect(h.upstream.calls("primary").count == 1)
        }
    }

    @Test func aStreamCutMidAnswerEndsWithAnExplicitErrorEventNotDone() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.cut(["half an ", "answer"])])
            let reply = try await h.post(GatewayHarness.chat("break please", stream: true))
            #expect(reply.status == 200)
            #expect(reply.streamedText == "half an answer")
            #expect(!reply.events.contains("[DONE]"))
            let last = try #require(reply.events.last)
            let error = (try? JSONSerialization.jsonObject(with: Data(last.utf8))) as? [String: Any]
            let detail = error?["error"] as? [String: Any]
            #expect(detail?["code"] as? String == "interrupted")
            #expect((detail?["message"] as? String)?.isEmpty == false)
        }
    }

    @Test func aStreamWhoseConnectionDropsEndsWithAnErrorEventToo() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.drop(["partial"]), .drop(["partial"])])
            h.upstream.script("secondary", [.drop(["partial"]), .drop(["partial"])])
            let reply = try await h.post(GatewayHarness.chat("drop please", stream: true))
            #expect(!reply.events.contains("[DONE]"))
            #expect(reply.events.last?.contains("\"error\"") == true)
        }
    }

    @Test func anAnthropicProviderIsTranslatedBothWays() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("claude", [.answer(["Bonjour", " !"], finish: "max_tokens")])
            let reply = try await h.post(#"{"model":"claude-only","messages":[{"role":"system","content":"answer in French"},{"role":"user","content":"hello"},{"role":"assistant","content":"..."},{"role":"user","content":"again"}]}"#)
            #expect(reply.status == 200)
            #expect(reply.content == "Bonjour !")
            let choice = (reply.json["choices"] as? [[String: Any]])?.first
            #expect(choice?["finish_reason"] as? String == "length")
            #expect((reply.json["usage"] as? [String: Any])?["prompt_tokens"] as? Int == 9)
            let call = try #require(h.upstream.calls("claude").first)
            #expect(call.path.hasSuffix("/v1/messages"))
            #expect(call.apiKeyHeader == "sk-ant-SECRET-456")
            #expect(call.authorization == nil)
            #expect(call.json["system"] as? String == "answer in French")
            let roles = (call.json["messages"] as? [[String: Any]])?.compactMap { $0["role"] as? String }
            #expect(roles == ["user", "assistant", "user"])
            #expect(call.json["max_tokens"] as? Int == 4096, "the provider's default_max_tokens, 4,096 unless configured")
        }
    }

    @Test func anAnthropicStreamComesOutAsOpenAIChunks() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("claude", [.answer(["a", "b", "c"], finish: "end_turn")])
            let reply = try await h.post(GatewayHarness.chat("stream it", model: "claude", stream: true))
            #expect(reply.streamedText == "abc")
            #expect(reply.events.last == "[DONE]")
            #expect(reply.headers["x-switchboard-provider"] == "claude")
        }
    }

    @Test func anUpstreamThatIgnoresStreamingAndAnswersPlainJSONStillWorks() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.plainJSON("whole answer")])
            let reply = try await h.post(GatewayHarness.chat("plain"))
            #expect(reply.content == "whole answer")
            #expect((reply.json["usage"] as? [String: Any])?["completion_tokens"] as? Int == 4)
        }
    }
}
