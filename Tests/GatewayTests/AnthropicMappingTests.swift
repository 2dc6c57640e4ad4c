import Foundation
import Testing
@testable import Gateway
@testable import ServingEngine

@Suite("The Anthropic adapter, both ways")
struct AnthropicMappingTests {
    let mapping = AnthropicRequestMapping(provider: "claude", model: "claude-x", defaultMaxTokens: 4096)

    static func message(_ object: JSONObject) -> ChatMessage {
        let parts = object["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        return ChatMessage(role: ChatRole(rawValue: object["role"]!.stringValue!)!, content: object["content"]?.stringValue ?? parts ?? "", wire: object)
    }

    func body(_ messages: [JSONObject], _ parameters: JSONObject = [:]) throws(ProviderFailure) -> JSONObject {
        try mapping.body(for: ProviderRequest(messages: messages.map(Self.message), parameters: parameters, requestID: "r"))
    }

    func refusal(_ messages: [JSONObject], _ parameters: JSONObject = [:]) -> ProviderFailure? {
        do {
            _ = try body(messages, parameters)
            return nil
        } catch {
            return error
        }
    }

    static let user: JSONObject = ["role": "user", "content": "hi"]

    @Test func aToolLoopBecomesToolUseAndToolResultBlocks() throws {
        let body = try body([
            ["role": "system", "content": "be brief"],
            ["role": "user", "content": "weather in Paris?"],
            ["role": "assistant", "content": .null, "tool_calls": [["id": "toolu_1", "type": "function", "function": ["name": "weather", "arguments": #"{"city":"Paris"}"#]]]],
            ["role": "tool", "tool_call_id": "toolu_1", "content": "18 °C"],
        ], ["tools": [["type": "function", "function": ["name": "weather", "description": "Weather", "parameters": ["type": "object"]]]], "tool_choice": "required", "parallel_tool_calls": false])
        #expect(body["system"] == "be brief")
        let turns = body["messages"]?.arrayValue ?? []
        #expect(turns.map { $0["role"]?.stringValue } == ["user", "assistant", "user"])
        #expect(turns[1]["content"]?.arrayValue?.first == ["type": "tool_use", "id": "toolu_1", "name": "weather", "input": ["city": "Paris"]])
        #expect(turns[2]["content"]?.arrayValue?.first == ["type": "tool_result", "tool_use_id": "toolu_1", "content": "18 °C"])
        #expect(body["tools"]?.arrayValue?.first == ["name": "weather", "input_schema": ["type": "object"], "description": "Weather"])
        #expect(body["tool_choice"] == ["type": "any", "disable_parallel_tool_use": true])
        #expect(body["max_tokens"] == 4096)
        #expect(try self.body([Self.user], ["tool_choice": "none", "tools": [["type": "function", "function": ["name": "f"]]]])["tool_choice"] == ["type": "none"])
        #expect(try self.body([Self.user], ["tool_choice": ["type": "function", "function": ["name": "f"]]])["tool_choice"] == ["type": "tool", "name": "f"])
    }

    @Test func imagesFromDataURIsAndURLsBecomeImageBlocks() throws {
        let body = try body([["role": "user", "content": [
            ["type": "text", "text": "compare"],
            ["type": "image_url", "image_url": ["url": "data:image/png;base64,iVBORw0KGgo="]],
            ["type": "image_url", "image_url": ["url": "https://example.com/b.jpg"]],
        ]]])
        let blocks = body["messages"]?.arrayValue?.first?["content"]?.arrayValue ?? []
        #expect(blocks[1] == ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="]])
        #expect(blocks[2] == ["type": "image", "source": ["type": "url", "url": "https://example.com/b.jpg"]])
    }

    @Test func whatHasNoEquivalentIsRefusedNamingTheFieldAndTheProvider() {
        for (key, value) in [("logit_bias", ["1": 1]), ("n", 2), ("seed", 1), ("logprobs", true), ("presence_penalty", 0.5), ("response_format", ["type": "json_object"])] as [(String, JSONValue)] {
            let failure = refusal([Self.user], [key: value])
            #expect(failure?.kind == .unsupported, "\(key)")
            #expect(failure?.upstreamError?.param == key, "\(key)")
            #expect(failure?.detail.contains("anthropic provider 'claude'") == true, "\(key)")
        }
        #expect(refusal([Self.user], ["temperature": 1.5])?.upstreamError?.param == "temperature", "no silent clamping")
        #expect(refusal([Self.user], ["temperature": 0.5, "top_p": 0.9])?.upstreamError?.param == "top_p")
        #expect(refusal([Self.user], ["stop": ["\n", "END"]])?.upstreamError?.param == "stop")
        #expect(refusal([["role": "user", "content": [["type": "input_audio", "input_audio": ["data": "x", "format": "wav"]]]]])?.upstreamError?.param == "messages[0].content[0]")
        #expect(refusal([Self.user], ["logprobs": false]) == nil, "logprobs: false asks for nothing")
    }

    @Test func emptyTurnsAndWhitespaceTextAreLeftOutAndFieldsForAnthropicPassThrough() throws {
        let body = try body([Self.user, ["role": "assistant", "content": ""], ["role": "user", "content": "  "], ["role": "user", "content": "again"]], ["top_k": 5, "max_tokens": 10, "store": true, "metadata": ["a": "b"], "user": "u"])
        let turns = body["messages"]?.arrayValue ?? []
        #expect(turns.count == 1, "the empty assistant turn is dropped and the user turns merged")
        #expect(turns.first?["content"]?.arrayValue?.count == 2)
        #expect(body["top_k"] == 5)
        #expect(body["max_tokens"] == 10)
        #expect(body["store"] == nil)
        #expect(body["metadata"] == ["user_id": "u"])
    }

    @Test func aStreamWithToolUseBecomesToolCallDeltasAndUsageWithCacheTokens() throws {
        var translator = AnthropicStreamTranslator(provider: "claude")
        let events: [JSONValue] = [
            ["type": "message_start", "message": ["usage": ["input_tokens": 10, "cache_read_input_tokens": 90, "output_tokens": 1]]],
            ["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]],
            ["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": "Checking."]],
            ["type": "content_block_start", "index": 1, "content_block": ["type": "tool_use", "id": "toolu_9", "name": "weather", "input": [:]]],
            ["type": "content_block_delta", "index": 1, "delta": ["type": "input_json_delta", "partial_json": #"{"city""#]],
            ["type": "content_block_delta", "index": 1, "delta": ["type": "input_json_delta", "partial_json": #": "Oslo"}"#]],
            ["type": "message_delta", "delta": ["stop_reason": "tool_use"], "usage": ["output_tokens": 20]],
            ["type": "message_stop"],
        ]
        var chunks: [ProviderChunk] = []
        for event in events {
            switch try translator.handle(event, name: nil) {
            case .emit(let more): chunks += more
            case .stop: break
            }
        }
        chunks.append(try translator.finish())
        var answer = AnswerAccumulator()
        for chunk in chunks {
            switch chunk {
            case .text(let text): answer.add(text: text)
            case .delta(let delta): answer.add(delta)
            default: break
            }
        }
        let choice = answer.choices(finish: .toolCalls)[0]
        #expect(choice.content == "Checking.")
        #expect(choice.toolCalls == [ToolCall(id: "toolu_9", name: "weather", arguments: #"{"city": "Oslo"}"#)])
        guard case .finished(let reason, let usage)? = chunks.last else {
            Issue.record("no finish")
            return
        }
        #expect(reason == .toolCalls)
        #expect(usage?.promptTokens == 100)
        #expect(usage?.promptTokensDetails?["cached_tokens"] == 90)
        #expect(usage?.completionTokens == 20)
    }

    @Test func stopReasonsMapFaithfully() {
        let cases: [(String, FinishReason)] = [
            ("end_turn", .stop), ("stop_sequence", .stop), ("max_tokens", .length), ("model_context_window_exceeded", .length),
            ("tool_use", .toolCalls), ("refusal", .contentFilter), ("pause_turn", FinishReason(rawValue: "pause_turn")),
        ]
        for (anthropic, openAI) in cases { #expect(AnthropicStreamTranslator.finishReason(anthropic) == openAI, "\(anthropic)") }
        #expect(!FinishReason(rawValue: "pause_turn").isComplete, "a paused turn is not stored in the cache")
    }

    @Test func throughTheGatewayAToolLoopPassesAnUpstreamThatRejectsWhatTheRealAPIRejects() async throws {
        try await GatewayHarness.run { h in
            let stream = [
                #"{"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}"#,
                #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"weather","input":{}}}"#,
                #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\":\"Rome\"}"}}"#,
                #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":7}}"#,
                #"{"type":"message_stop"}"#,
            ].map { "event: x\ndata: \($0)\n\n" }.joined()
            h.upstream.script("claude", [.events(stream), .answer(["Sunny."], finish: "end_turn")])
            let tools = #"[{"type":"function","function":{"name":"weather","parameters":{"type":"object"}}}]"#
            let first = try await h.post(#"{"model":"claude-only","messages":[{"role":"user","content":"weather in Rome?"}],"tools":\#(tools),"temperature":0.3}"#)
            #expect(first.status == 200, "\(first.body)")
            let choice = (first.json["choices"] as? [[String: Any]])?.first
            #expect(choice?["finish_reason"] as? String == "tool_calls")
            let call = ((choice?["message"] as? [String: Any])?["tool_calls"] as? [[String: Any]])?.first
            #expect((call?["function"] as? [String: Any])?["arguments"] as? String == #"{"city":"Rome"}"#)
            let second = try await h.post(#"{"model":"claude-only","messages":[{"role":"user","content":"weather in Rome?"},{"role":"assistant","content":"","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Rome\"}"}}]},{"role":"tool","tool_call_id":"toolu_1","content":"sunny"}],"tools":\#(tools)}"#)
            #expect(second.status == 200, "\(second.body)")
            #expect(second.content == "Sunny.")
            let both = try await h.post(#"{"model":"claude-only","messages":[{"role":"user","content":"hi"}],"temperature":0.3,"top_p":0.5}"#)
            #expect(both.status == 400)
            #expect(both.errorMessage.contains("'temperature' and 'top_p' together"), "\(both.errorMessage)")
            #expect(h.upstream.calls("claude").count == 2, "what the API would refuse is never sent")
        }
    }
}
