import Foundation
import Testing
@testable import Gateway

/// `POST /v1/responses` bridged onto the chat engine.
@Suite("The Responses API through the gateway")
struct GatewayResponsesTests {
    static let tool = #"{"type":"function","name":"weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}"#

    /// The typed events of a Responses stream: (event name, data object).
    static func events(_ body: String) -> [(String, [String: Any])] {
        body.components(separatedBy: "\n\n").compactMap { block in
            let lines = block.split(separator: "\n")
            guard let name = lines.first(where: { $0.hasPrefix("event: ") }), let data = lines.first(where: { $0.hasPrefix("data: ") }),
                  let object = try? JSONSerialization.jsonObject(with: Data(data.dropFirst(6).utf8)) as? [String: Any] else { return nil }
            return (String(name.dropFirst(7)), object)
        }
    }

    @Test func aPlainResponseHoldsTheAnswerAsAMessageItem() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.answer(["Hello", " there"])])
            let reply = try await h.post("/v1/responses", #"{"model":"main","instructions":"be kind","input":"hi","max_output_tokens":50,"temperature":0.5}"#)
            #expect(reply.status == 200, "\(reply.body)")
            #expect(reply.json["object"] as? String == "response")
            #expect(reply.json["status"] as? String == "completed")
            #expect((reply.json["id"] as? String)?.hasPrefix("resp_") == true)
            let item = (reply.json["output"] as? [[String: Any]])?.first
            #expect(item?["type"] as? String == "message")
            #expect(((item?["content"] as? [[String: Any]])?.first?["text"] as? String) == "Hello there")
            #expect((reply.json["usage"] as? [String: Any])?["input_tokens"] as? Int == 9)
            let sent = try #require(h.upstream.calls("primary").first).json
            let messages = sent["messages"] as? [[String: Any]]
            #expect(messages?.first?["role"] as? String == "system")
            #expect(sent["max_completion_tokens"] as? Int == 50)
            #expect(sent["temperature"] as? Double == 0.5)
        }
    }

    @Test func aStreamedFunctionCallComesAsTheTypedEventsInOrder() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.events(GatewayProxyFidelityTests.toolCallStream)])
            let reply = try await h.post("/v1/responses", #"{"model":"main","input":[{"role":"user","content":[{"type":"input_text","text":"weather in Paris?"}]}],"tools":[\#(Self.tool)],"stream":true}"#)
            #expect(reply.status == 200, "\(reply.body)")
            let events = Self.events(reply.body)
            #expect(events.map(\.0) == [
                "response.created", "response.in_progress", "response.output_item.added",
                "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done", "response.completed",
            ])
            #expect(events.map { $0.1["sequence_number"] as? Int } == Array(0..<events.count))
            let done = events.first { $0.0 == "response.function_call_arguments.done" }?.1
            #expect(done?["arguments"] as? String == #"{"city":"Paris"}"#)
            let completed = events.last?.1["response"] as? [String: Any]
            let item = (completed?["output"] as? [[String: Any]])?.first
            #expect(item?["type"] as? String == "function_call")
            #expect(item?["call_id"] as? String == "call_7")
            #expect(item?["name"] as? String == "weather")
            let sentTools = try #require(h.upstream.calls("primary").first).json["tools"] as? [[String: Any]]
            #expect((sentTools?.first?["function"] as? [String: Any])?["name"] as? String == "weather", "a Responses tool becomes a chat function tool")
        }
    }

    @Test func functionCallOutputsBecomeToolMessages() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.answer(["It is 18 °C."])])
            let reply = try await h.post("/v1/responses", #"{"model":"main","tools":[\#(Self.tool)],"input":[{"role":"user","content":"weather in Paris?"},{"type":"function_call","call_id":"call_7","name":"weather","arguments":"{\"city\":\"Paris\"}"},{"type":"function_call_output","call_id":"call_7","output":"18 °C"}]}"#)
            #expect(reply.status == 200, "\(reply.body)")
            let messages = try #require(h.upstream.calls("primary").first).json["messages"] as? [[String: Any]]
            #expect(messages?.map { $0["role"] as? String } == ["user", "assistant", "tool"])
            #expect(messages?[2]["tool_call_id"] as? String == "call_7")
            #expect(((messages?[1]["tool_calls"] as? [[String: Any]])?.first?["id"]) as? String == "call_7")
        }
    }

    @Test func storedResponsesAreAClear400() async throws {
        try await GatewayHarness.run { h in
            let previous = try await h.post("/v1/responses", #"{"model":"main","input":"hi","previous_response_id":"resp_1"}"#)
            #expect(previous.status == 400)
            #expect(previous.error["param"] as? String == "previous_response_id")
            let store = try await h.post("/v1/responses", #"{"model":"main","input":"hi","store":true}"#)
            #expect(store.status == 400)
            #expect(store.errorMessage.contains("does not"))
            let builtIn = try await h.post("/v1/responses", #"{"model":"main","input":"hi","tools":[{"type":"web_search"}]}"#)
            #expect(builtIn.status == 400)
            #expect(builtIn.error["param"] as? String == "tools[0]")
        }
    }
}
