import ServingEngine

/// The Responses API objects Switchboard writes: the `response` object and its output items.
enum ResponsesWire {
    /// The response id for an engine request id (`chatcmpl-…` → `resp_…`).
    static func responseID(_ requestID: String) -> String {
        "resp_" + requestID.replacingOccurrences(of: "chatcmpl-", with: "")
    }

    /// A message output item with its text (or refusal) part.
    static func messageItem(id: String, text: String?, refusal: String?, status: String) -> JSONObject {
        var content: [JSONValue] = []
        if let text { content.append(["type": "output_text", "text": .string(text), "annotations": []]) }
        if let refusal { content.append(["type": "refusal", "refusal": .string(refusal)]) }
        return ["type": "message", "id": .string(id), "status": .string(status), "role": "assistant", "content": .array(content)]
    }

    /// A function call output item.
    static func functionCallItem(id: String, call: ToolCall, status: String) -> JSONObject {
        ["type": "function_call", "id": .string(id), "call_id": .string(call.id), "name": .string(call.name), "arguments": .string(call.arguments), "status": .string(status)]
    }

    /// The output items of a finished choice: its message (when it has text or a refusal), then
    /// one item per tool call.
    static func outputItems(_ choice: AnswerChoice, baseID: String) -> [JSONObject] {
        var items: [JSONObject] = []
        if choice.content?.isEmpty == false || choice.refusal != nil || choice.toolCalls.isEmpty {
            items.append(messageItem(id: "msg_\(baseID)", text: choice.refusal == nil ? (choice.content ?? "") : choice.content, refusal: choice.refusal, status: "completed"))
        }
        for (index, call) in choice.toolCalls.enumerated() {
            items.append(functionCallItem(id: "fc_\(baseID)_\(index)", call: call, status: "completed"))
        }
        return items
    }

    /// `status` and `incomplete_details` for a finish reason.
    static func status(_ finish: FinishReason?) -> (String, JSONValue) {
        switch finish {
        case nil: ("in_progress", .null)
        case .length?: ("incomplete", ["reason": "max_output_tokens"])
        case .contentFilter?: ("incomplete", ["reason": "content_filter"])
        default: ("completed", .null)
        }
    }

    /// Token counts as the Responses API names them.
    static func usage(_ usage: TokenUsage) -> JSONObject {
        [
            "input_tokens": .integer(Int64(usage.promptTokens)),
            "input_tokens_details": ["cached_tokens": usage.promptTokensDetails?["cached_tokens"] ?? 0],
            "output_tokens": .integer(Int64(usage.completionTokens)),
            "output_tokens_details": ["reasoning_tokens": usage.completionTokensDetails?["reasoning_tokens"] ?? 0],
            "total_tokens": .integer(Int64(usage.totalTokens)),
        ]
    }

    /// The `response` object.
    static func response(id: String, model: String, createdAt: Int, output: [JSONObject], finish: FinishReason?, usage: TokenUsage?, echo: JSONObject) -> JSONObject {
        let (status, incomplete) = status(finish)
        var body: JSONObject = [
            "id": .string(id), "object": "response", "created_at": .integer(Int64(createdAt)), "status": .string(status),
            "error": .null, "incomplete_details": incomplete, "model": .string(model), "output": .array(output.map(JSONValue.object)),
            "parallel_tool_calls": echo["parallel_tool_calls"] ?? true, "tool_choice": echo["tool_choice"] ?? "auto", "tools": echo["tools"] ?? [],
            "store": false, "previous_response_id": .null, "text": echo["text"] ?? ["format": ["type": "text"]],
            "truncation": echo["truncation"] ?? "disabled", "metadata": echo["metadata"] ?? [:],
        ]
        for key in ["instructions", "temperature", "top_p", "max_output_tokens", "reasoning", "user"] { body[key] = echo[key] ?? .null }
        body["usage"] = usage.map { .object(Self.usage($0)) } ?? .null
        return body
    }

    /// The `response` object of a finished engine answer.
    static func response(_ answer: EngineResponse, createdAt: Int, echo: JSONObject) -> JSONObject {
        let id = responseID(answer.id)
        let choice = answer.choices.first ?? AnswerChoice(content: "")
        let base = String(id.dropFirst(5))
        return response(id: id, model: answer.model, createdAt: createdAt, output: outputItems(choice, baseID: base), finish: choice.finishReason, usage: answer.usage, echo: echo)
    }
}
