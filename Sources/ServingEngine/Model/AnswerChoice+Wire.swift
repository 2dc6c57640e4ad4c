/// The OpenAI wire form of choices and pieces, which is also how the cache persists them.
extension AnswerChoice {
    /// Message fields read into typed properties; every other one is kept in ``extra``.
    static let typedMessageKeys: Set<String> = ["role", "content", "refusal", "tool_calls", "function_call"]

    /// Reads a `chat.completion` choice (`{index, message, logprobs, finish_reason}`); nil when it
    /// has no `message` object.
    package init?(wireChoice choice: JSONValue, position: Int = 0) {
        guard let message = choice["message"]?.objectValue else { return nil }
        var extra = JSONObject()
        for (key, value) in message where !Self.typedMessageKeys.contains(key) { extra[key] = value }
        let calls: [ToolCall] = (message["tool_calls"]?.arrayValue ?? []).compactMap { call in
            guard let function = call["function"] else { return nil }
            return ToolCall(
                id: call["id"]?.stringValue ?? "", type: call["type"]?.stringValue ?? "function",
                name: function["name"]?.stringValue ?? "", arguments: function["arguments"]?.stringValue ?? ""
            )
        }
        let function = message["function_call"].flatMap { call -> FunctionCall? in
            guard let name = call["name"]?.stringValue else { return nil }
            return FunctionCall(name: name, arguments: call["arguments"]?.stringValue ?? "")
        }
        let logprobs = choice["logprobs"].flatMap { $0.isNull ? nil : $0 }
        self.init(
            index: choice["index"]?.intValue ?? position, content: message["content"]?.stringValue, refusal: message["refusal"]?.stringValue,
            toolCalls: calls, functionCall: function, logprobs: logprobs,
            finishReason: choice["finish_reason"]?.stringValue.map(FinishReason.init(rawValue:)) ?? .stop, extra: extra
        )
    }

    /// The `chat.completion` choice object.
    package var wireChoice: JSONObject {
        ["index": .integer(Int64(index)), "message": .object(messageObject), "logprobs": logprobs ?? .null, "finish_reason": .string(finishReason.rawValue)]
    }
}

extension ChoiceDelta {
    /// Delta fields read into typed properties; every other one is kept in ``extra``.
    static let typedDeltaKeys: Set<String> = ["role", "content", "refusal", "tool_calls", "function_call"]

    /// Reads a `chat.completion.chunk` choice (`{index, delta, logprobs, finish_reason}`).
    package init(wireChunkChoice choice: JSONValue, position: Int = 0) {
        let delta = choice["delta"]?.objectValue ?? JSONObject()
        var extra = JSONObject()
        for (key, value) in delta where !Self.typedDeltaKeys.contains(key) && !value.isNull { extra[key] = value }
        let calls: [ToolCallDelta] = (delta["tool_calls"]?.arrayValue ?? []).enumerated().map { offset, call in
            ToolCallDelta(
                index: call["index"]?.intValue ?? offset, id: call["id"]?.stringValue, type: call["type"]?.stringValue,
                name: call["function"]?["name"]?.stringValue, arguments: call["function"]?["arguments"]?.stringValue
            )
        }
        let function = delta["function_call"].flatMap { call -> FunctionCallDelta? in
            guard call.objectValue != nil else { return nil }
            return FunctionCallDelta(name: call["name"]?.stringValue, arguments: call["arguments"]?.stringValue)
        }
        let logprobs = choice["logprobs"].flatMap { $0.isNull ? nil : $0 }
        self.init(
            index: choice["index"]?.intValue ?? position, content: delta["content"]?.stringValue, refusal: delta["refusal"]?.stringValue,
            toolCalls: calls, functionCall: function, logprobs: logprobs,
            finishReason: choice["finish_reason"]?.stringValue.map(FinishReason.init(rawValue:)), extra: extra
        )
    }

    /// The `chat.completion.chunk` choice object (`delta` always present, as clients expect).
    package var wireChunkChoice: JSONObject {
        var choice: JSONObject = ["index": .integer(Int64(index)), "delta": .object(deltaObject)]
        if let logprobs { choice["logprobs"] = logprobs }
        choice["finish_reason"] = finishReason.map { .string($0.rawValue) } ?? .null
        return choice
    }
}

extension AnswerDetail {
    /// The detail as JSON text, for the cache file and the shared state.
    package var jsonText: String {
        JSONValue.object(["choices": .array(choices.map { .object($0.wireChoice) }), "response_fields": .object(responseFields)]).jsonString
    }

    /// Reads ``jsonText``; nil when the text is not such a detail.
    package convenience init?(jsonText: String) {
        guard let value = try? JSONParser.parse(jsonText), let list = value["choices"]?.arrayValue else { return nil }
        let choices = list.enumerated().compactMap { AnswerChoice(wireChoice: $1, position: $0) }
        guard choices.count == list.count else { return nil }
        self.init(choices: choices, responseFields: value["response_fields"]?.objectValue ?? JSONObject())
    }
}
