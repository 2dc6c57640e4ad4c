import Foundation
import Testing
@testable import Gateway
import TestSupport

/// What a client sends reaches the provider, and what the provider answers reaches the client.
@Suite("A faithful proxy: tools, formats, images and every field")
struct GatewayProxyFidelityTests {
    static let tools = #"[{"type":"function","function":{"name":"weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]"#

    /// A streamed tool call in OpenAI's chunk format, arguments in two fragments.
    static let toolCallStream = """
        data: {"id":"up-1","object":"chat.completion.chunk","system_fingerprint":"fp_up","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_7","type":"function","function":{"name":"weather","arguments":""}}]},"finish_reason":null}]}

        data: {"id":"up-1","object":"chat.completion.chunk","system_fingerprint":"fp_up","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":"}}]},"finish_reason":null}]}

        data: {"id":"up-1","object":"chat.completion.chunk","system_fingerprint":"fp_up","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"Paris\\"}"}}]},"finish_reason":null}]}

        data: {"id":"up-1","object":"chat.completion.chunk","system_fingerprint":"fp_up","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

        data: {"id":"up-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":30,"completion_tokens":9,"total_tokens":39,"prompt_tokens_details":{"cached_tokens":10},"completion_tokens_details":{"reasoning_tokens":4}}}

        data: [DONE]


        """

    @Test func everyFieldTheClientSendsReachesTheProviderAsSent() async throws {
        try await GatewayHarness.run { h in
            let body = #"{"model":"main","messages":[{"role":"developer","content":"be brief"},{"role":"user","name":"ann","content":"hi"}],"tools":\#(Self.tools),"tool_choice":"auto","parallel_tool_calls":false,"response_format":{"type":"json_schema","json_schema":{"name":"r","schema":{"type":"object"}}},"seed":9007199254740993,"presence_penalty":0.5,"frequency_penalty":-0.5,"logit_bias":{"50256":-100},"logprobs":true,"top_logprobs":2,"max_completion_tokens":77,"reasoning_effort":"low","user":"u-1","metadata":{"k":"v"},"store":false,"top_k":40,"x_vendor":{"nested":[1,2]}}"#
            let reply = try await h.post(body)
            #expect(reply.status == 200, "\(reply.body)")
            let sent = try #require(h.upstream.calls("primary").first).json
            #expect(sent["model"] as? String == "fake-a")
            #expect(sent["max_completion_tokens"] as? Int == 77, "kept as such, never renamed to max_tokens")
            #expect(sent["max_tokens"] == nil)
            #expect((sent["seed"] as? NSNumber)?.int64Value == 9_007_199_254_740_993)
            #expect(sent["top_k"] as? Int == 40)
            #expect((sent["x_vendor"] as? [String: Any])?["nested"] as? [Int] == [1, 2])
            #expect((sent["tools"] as? [[String: Any]])?.first?["type"] as? String == "function")
            #expect(sent["tool_choice"] as? String == "auto")
            #expect(sent["parallel_tool_calls"] as? Bool == false)
            #expect((sent["response_format"] as? [String: Any])?["type"] as? String == "json_schema")
            #expect((sent["logit_bias"] as? [String: Int])?["50256"] == -100)
            #expect(sent["logprobs"] as? Bool == true)
            #expect(sent["reasoning_effort"] as? String == "low")
            #expect(sent["user"] as? String == "u-1")
            let messages = sent["messages"] as? [[String: Any]]
            #expect(messages?[0]["role"] as? String == "system", "many compatible servers know no developer role")
            #expect(messages?[1]["name"] as? String == "ann")
        }
    }

    @Test func aStreamedToolCallReachesTheClientDeltaByDelta() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.events(Self.toolCallStream)])
            let reply = try await h.post(#"{"model":"main","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"weather in Paris?"}],"tools":\#(Self.tools)}"#)
            #expect(reply.status == 200)
            let chunks = reply.events.filter { $0 != "[DONE]" }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let deltas = chunks.compactMap { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]) }
            let calls = deltas.compactMap { ($0["tool_calls"] as? [[String: Any]])?.first }
            #expect(calls.count == 3)
            #expect(calls.first?["id"] as? String == "call_7")
            #expect((calls.first?["function"] as? [String: Any])?["name"] as? String == "weather")
            let arguments = calls.compactMap { ($0["function"] as? [String: Any])?["arguments"] as? String }.joined()
            #expect(arguments == #"{"city":"Paris"}"#)
            let finishes = chunks.compactMap { (($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String) }
            #expect(finishes == ["tool_calls"], "the upstream's finish reason, once")
            #expect(chunks.contains { $0["system_fingerprint"] as? String == "fp_up" })
            let usage = chunks.last?["usage"] as? [String: Any]
            #expect((usage?["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == 10)
            #expect(reply.events.last == "[DONE]")
        }
    }

    @Test func aWholeAnswerCarriesToolCallsRefusalLogprobsAndTheUpstreamsFields() async throws {
        try await GatewayHarness.run { h in
            let upstream = #"{"id":"up","object":"chat.completion","created":1,"model":"fake-a","system_fingerprint":"fp_9","service_tier":"default","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}}],"annotations":[]},"logprobs":{"content":[{"token":"x","logprob":-0.5,"bytes":[120],"top_logprobs":[]}],"refusal":null},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"completion_tokens_details":{"reasoning_tokens":2}}}"#
            h.upstream.script("primary", [.json(upstream)])
            let reply = try await h.post(#"{"model":"main","messages":[{"role":"user","content":"weather in Oslo?"}],"tools":\#(Self.tools),"logprobs":true}"#)
            #expect(reply.status == 200, "\(reply.body)")
            let choice = try #require((reply.json["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "tool_calls")
            let message = try #require(choice["message"] as? [String: Any])
            #expect(message["content"] is NSNull)
            let call = (message["tool_calls"] as? [[String: Any]])?.first
            #expect(call?["id"] as? String == "call_1")
            #expect((call?["function"] as? [String: Any])?["arguments"] as? String == #"{"city":"Oslo"}"#)
            #expect(message["annotations"] as? [Any] != nil, "fields of the message Switchboard does not know pass on")
            #expect(((choice["logprobs"] as? [String: Any])?["content"] as? [Any])?.count == 1)
            #expect(reply.json["system_fingerprint"] as? String == "fp_9")
            #expect(reply.json["service_tier"] as? String == "default")
            #expect(((reply.json["usage"] as? [String: Any])?["completion_tokens_details"] as? [String: Any])?["reasoning_tokens"] as? Int == 2)
            #expect((reply.json["id"] as? String)?.hasPrefix("chatcmpl-") == true)
        }
    }

    @Test func theSecondTurnOfAToolLoopIsNotAnsweredFromTheFirstTurnsEntry() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.events(Self.toolCallStream), .answer(["It is 18 °C."])])
            let first = try await h.post(#"{"model":"main","messages":[{"role":"user","content":"weather in Paris?"}],"tools":\#(Self.tools)}"#)
            #expect(first.headers["x-switchboard-cache"] == "miss")
            let second = try await h.post(#"{"model":"main","messages":[{"role":"user","content":"weather in Paris?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_7","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_7","content":"18 °C"}],"tools":\#(Self.tools)}"#)
            #expect(second.headers["x-switchboard-cache"] == "miss", "\(second.headers)")
            #expect(second.content == "It is 18 °C.")
            let withoutTools = try await h.post(#"{"model":"main","messages":[{"role":"user","content":"weather in Paris?"}]}"#)
            #expect(withoutTools.headers["x-switchboard-cache"] == "miss", "an answer made with tools is not one made without")
        }
    }

    @Test func anUpstreamRefusalReachesTheClientAsA400InTheUpstreamsWords() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.status(400, body: #"{"error":{"message":"Invalid schema for function 'weather': 'object' is not valid","type":"invalid_request_error","param":"tools[0].function.parameters","code":"invalid_function_parameters"}}"#)])
            let reply = try await h.post(GatewayHarness.chat("hi", model: "main"))
            #expect(reply.status == 400)
            #expect(reply.errorMessage == "Invalid schema for function 'weather': 'object' is not valid")
            #expect(reply.error["param"] as? String == "tools[0].function.parameters")
            #expect(reply.error["code"] as? String == "invalid_function_parameters")
        }
    }

    @Test func whenEveryProviderIsRateLimitedTheClientGets429WithRetryAfter() async throws {
        try await GatewayHarness.run { h in
            let limited = ScriptedUpstream.Step.status(429, body: #"{"error":{"message":"slow down"}}"#, retryAfter: "2")
            h.upstream.script("primary", [limited, limited])
            h.upstream.script("secondary", [limited, limited])
            let reply = try await h.post(GatewayHarness.chat("hi", model: "main"))
            #expect(reply.status == 429, "\(reply.body)")
            #expect(reply.headers["retry-after"] == "2")
            #expect(reply.error["code"] as? String == "rate_limit_exceeded")
        }
    }

    @Test func aProviderWithoutACapabilityIsSkippedAndTheHeadersSaySo() async throws {
        try await GatewayHarness.run { h in
            let reply = try await h.post(#"{"model":"vision-first","messages":[{"role":"user","content":[{"type":"text","text":"what is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]}"#)
            #expect(reply.status == 200, "\(reply.body)")
            #expect(reply.headers["x-switchboard-provider"] == "primary")
            #expect(reply.headers["x-switchboard-skipped"] == "strict (no vision)")
            let parts = ((h.upstream.calls("primary").first?.json["messages"] as? [[String: Any]])?.first?["content"] as? [[String: Any]])
            #expect(parts?.last?["type"] as? String == "image_url", "the image part goes upstream as sent")
            let refused = try await h.post(#"{"model":"strict-only","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}"#)
            #expect(refused.status == 400)
            #expect(refused.errorMessage.contains("strict: no vision"), "\(refused.errorMessage)")
        }
    }

    @Test func aStrictProviderGetsOnlyKnownFieldsAndTheResponseSaysWhichWereDropped() async throws {
        try await GatewayHarness.run { h in
            let reply = try await h.post(#"{"model":"strict-only","messages":[{"role":"user","content":"hi"}],"top_k":3,"x_trace":"1","seed":4}"#)
            #expect(reply.status == 200, "\(reply.body)")
            #expect(reply.headers["x-switchboard-dropped-fields"] == "top_k, x_trace")
            let sent = try #require(h.upstream.calls("strict").first).json
            #expect(sent["top_k"] == nil && sent["x_trace"] == nil)
            #expect(sent["seed"] as? Int == 4)
        }
    }

    @Test func aProviderSetToStreamOnlyWhenAskedIsCalledPlainlyForAPlainRequestAndStreamedForAStream() async throws {
        try await GatewayHarness.run(cache: false) { h in
            let completion = #"{"id":"up-1","object":"chat.completion","created":1,"model":"fake-plain","system_fingerprint":"fp_plain","choices":[{"index":0,"message":{"role":"assistant","content":"One plain answer."},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":3,"total_tokens":7}}"#
            h.upstream.script("plain", [.json(completion), .answer(["Streamed ", "answer."])])
            let plain = try await h.post(#"{"model":"plain-only","messages":[{"role":"user","content":"hi"}],"seed":7}"#)
            #expect(plain.status == 200, "\(plain.body)")
            #expect(plain.content == "One plain answer.")
            #expect(plain.json["system_fingerprint"] as? String == "fp_plain")
            #expect((plain.json["usage"] as? [String: Any])?["completion_tokens"] as? Int == 3)

            let streamed = try await h.post(#"{"model":"plain-only","stream":true,"messages":[{"role":"user","content":"hi again"}]}"#)
            #expect(streamed.status == 200)
            #expect(streamed.streamedText == "Streamed answer.")

            let calls = h.upstream.calls("plain")
            #expect(calls.count == 2)
            #expect(calls[0].json["stream"] == nil && calls[0].json["stream_options"] == nil, "a plain request is sent without a stream: \(calls[0].body)")
            #expect(calls[0].json["seed"] as? Int == 7)
            #expect(calls[1].json["stream"] as? Bool == true, "a streamed request streams upstream: \(calls[1].body)")
        }
    }

    @Test func badToolsAndFormatsAreRefusedNamingTheField() async throws {
        try await GatewayHarness.run { h in
            let cases: [(String, String)] = [
                (#""tools":[{"type":"function","function":{"description":"no name"}}]"#, "tools[0]"),
                (#""tool_choice":"sometimes""#, "tool_choice"),
                (#""response_format":{"type":"yaml"}"#, "response_format.type"),
                (#""logit_bias":{"abc":1}"#, "logit_bias"),
                (#""top_logprobs":3"#, "top_logprobs"),
                (#""n":0"#, "n"),
            ]
            for (field, param) in cases {
                let reply = try await h.post(GatewayHarness.chat("hi", model: "main", extra: "," + field))
                #expect(reply.status == 400, "\(field): \(reply.body)")
                #expect(reply.error["param"] as? String == param, "\(field): \(reply.body)")
            }
            let tool = try await h.post(#"{"model":"main","messages":[{"role":"tool","content":"18"}]}"#)
            #expect(tool.status == 400)
            #expect(tool.errorMessage.contains("tool_call_id"))
        }
    }

    @Test func unknownRoutesAreJSON404sAndModelsCanBeLookedUp() async throws {
        try await GatewayHarness.run { h in
            let missing = try await h.post("/v1/completions-typo", "{}")
            #expect(missing.status == 404)
            #expect(missing.error["code"] as? String == "unknown_url")
            #expect(missing.errorMessage.contains("/v1/chat/completions"))
            let model = try await h.get("/v1/models/main")
            #expect(model.status == 200)
            #expect(model.json["id"] as? String == "main")
            #expect(model.json["object"] as? String == "model")
            let unknown = try await h.get("/v1/models/gpt-9")
            #expect(unknown.status == 404)
            #expect(unknown.error["code"] as? String == "model_not_found")
        }
    }

    @Test func embeddingsAreRoutedThroughTheCascadeAndPassBackAsSent() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.status(503)])
            h.upstream.script("primary", [.status(503)])
            let reply = try await h.post("/v1/embeddings", #"{"model":"main","input":["hello","world"],"encoding_format":"float","dimensions":3}"#)
            #expect(reply.status == 200, "\(reply.body)")
            #expect(reply.headers["x-switchboard-provider"] == "secondary", "the failing primary fell over to the next provider")
            let data = reply.json["data"] as? [[String: Any]]
            #expect((data?.first?["embedding"] as? [Double]) == [0.25, -0.5, 0.125])
            let sent = try #require(h.upstream.calls("secondary").first)
            #expect(sent.path.hasSuffix("/v1/embeddings"))
            #expect(sent.json["model"] as? String == "fake-b")
            #expect(sent.json["input"] as? [String] == ["hello", "world"])
            #expect(sent.json["dimensions"] as? Int == 3)
            let bad = try await h.post("/v1/embeddings", #"{"model":"main"}"#)
            #expect(bad.status == 400)
            #expect(bad.error["param"] as? String == "input")
            let claude = try await h.post("/v1/embeddings", #"{"model":"claude-only","input":"x"}"#)
            #expect(claude.status == 400)
            #expect(claude.errorMessage.contains("no embeddings"), "\(claude.errorMessage)")
        }
    }
}
