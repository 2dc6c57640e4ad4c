import ServingEngine

/// Translates an OpenAI-style chat request into an Anthropic Messages API body, refusing what has
/// no equivalent rather than dropping it.
///
/// - Instructions (`system`, `developer`) become the `system` prompt; `user`, `assistant` and `tool`
///   turns become content blocks (`text`, `image` from a URL or a base64 data URI, `document` from
///   a PDF data URI, `tool_use` from an assistant's `tool_calls`, `tool_result` from a tool turn),
///   consecutive turns of one role merged, since the API wants them alternating.
/// - `tools` become `{name, description, input_schema}`; `tool_choice` maps `auto`/`required`/
///   `none`/a named function to `auto`/`any`/`none`/`tool`, and `parallel_tool_calls: false` to
///   `disable_parallel_tool_use`.
/// - `max_completion_tokens` or `max_tokens`, else the provider's `default_max_tokens`;
///   `temperature` (0–1 here: more is a 400, never clamped), `top_p`, `stop` → `stop_sequences`,
///   `user` → `metadata.user_id`; fields it does not know (`top_k`, `thinking`…) pass through.
/// - Refused with a 400 that names the field and the provider: `logit_bias`, `logprobs`, `n` > 1,
///   `seed`, penalties, JSON response formats, audio, legacy `functions`, `temperature` with `top_p`
///   (Claude models refuse the pair), whitespace-only stop sequences (the API refuses them).
/// - Ignored, since they do not change the answer and Anthropic has no such thing: `store`,
///   `metadata`, `service_tier`, `stream_options`, `prompt_cache_key`, `safety_identifier`.
struct AnthropicRequestMapping {
    let provider: String
    let model: String
    let defaultMaxTokens: Int

    /// Fields that change the answer and that the Messages API cannot honour.
    static let refused: [String: String] = [
        "logit_bias": "the Messages API has no logit bias",
        "logprobs": "the Messages API returns no log probabilities",
        "top_logprobs": "the Messages API returns no log probabilities",
        "seed": "the Messages API has no seed",
        "presence_penalty": "the Messages API has no presence penalty",
        "frequency_penalty": "the Messages API has no frequency penalty",
        "functions": "use 'tools' instead of the legacy 'functions'",
        "function_call": "use 'tool_choice' instead of the legacy 'function_call'",
        "audio": "the Messages API has no audio output",
        "modalities": "the Messages API answers in text only",
        "prediction": "the Messages API has no predicted outputs",
        "reasoning_effort": "send Anthropic's own 'thinking' field instead",
    ]

    /// Fields with no Anthropic counterpart that do not change the answer.
    static let ignored: Set<String> = ["store", "metadata", "service_tier", "stream_options", "prompt_cache_key", "safety_identifier", "user", "stream", "model", "messages"]

    /// Fields this mapping reads itself.
    static let mapped: Set<String> = ["max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "tools", "tool_choice", "parallel_tool_calls", "n", "response_format"]

    func refusal(_ field: String, _ reason: String) -> ProviderFailure {
        let message = "the anthropic provider '\(provider)' cannot carry '\(field)': \(reason)"
        return ProviderFailure(.unsupported, message, upstreamError: UpstreamError(message: message, type: "invalid_request_error", param: field, code: "unsupported_parameter"))
    }

    func body(for request: ProviderRequest) throws(ProviderFailure) -> JSONObject {
        let parameters = request.parameters
        for (field, reason) in Self.refused.sorted(by: { $0.key < $1.key }) {
            guard let value = parameters[field], !value.isNull else { continue }
            if field == "logprobs", value.boolValue == false { continue }
            throw refusal(field, reason)
        }
        if let n = parameters["n"]?.intValue, n > 1 { throw refusal("n", "the Messages API returns one answer per request") }
        switch parameters["response_format"]?["type"]?.stringValue {
        case nil, "text": break
        case let type?: throw refusal("response_format", "the Messages API has no \(type) mode; ask for JSON in the prompt or use a tool")
        }
        var body: JSONObject = ["model": .string(model)]
        let limit = parameters["max_completion_tokens"]?.intValue ?? parameters["max_tokens"]?.intValue ?? defaultMaxTokens
        body["max_tokens"] = .integer(Int64(limit))
        let system = request.messages.filter { $0.role.isInstruction }.map(\.content).filter { !$0.isEmpty }.joined(separator: "\n\n")
        if !system.isEmpty { body["system"] = .string(system) }
        body["messages"] = .array(try turns(request.messages).map(JSONValue.object))
        let temperature = parameters["temperature"]?.doubleValue
        let topP = parameters["top_p"]?.doubleValue
        if temperature != nil, topP != nil {
            throw refusal("top_p", "Claude models refuse 'temperature' and 'top_p' together; send one of them")
        }
        if let temperature {
            guard temperature <= 1 else { throw refusal("temperature", "the Messages API takes a temperature between 0 and 1, got \(temperature)") }
            body["temperature"] = .double(temperature)
        }
        if let topP { body["top_p"] = .double(topP) }
        if let stops = parameters["stop"], !stops.isNull {
            let list = stops.stringValue.map { [$0] } ?? stops.arrayValue?.compactMap(\.stringValue) ?? []
            if let blank = list.firstIndex(where: { $0.allSatisfy(\.isWhitespace) }) {
                throw refusal("stop", "stop sequence \(blank) is only whitespace, which the Messages API refuses")
            }
            if !list.isEmpty { body["stop_sequences"] = .array(list.map(JSONValue.string)) }
        }
        if let user = parameters["user"]?.stringValue { body["metadata"] = ["user_id": .string(user)] }
        try tools(parameters, into: &body)
        for (key, value) in parameters where !Self.mapped.contains(key) && !Self.ignored.contains(key) && Self.refused[key] == nil && body[key] == nil {
            body[key] = value  // a field for Anthropic itself (top_k, thinking…)
        }
        body["stream"] = true
        return body
    }

    private func tools(_ parameters: JSONObject, into body: inout JSONObject) throws(ProviderFailure) {
        if let list = parameters["tools"]?.arrayValue, !list.isEmpty {
            var tools: [JSONValue] = []
            for (index, tool) in list.enumerated() {
                guard tool["type"]?.stringValue == "function", let function = tool["function"], let name = function["name"]?.stringValue else {
                    throw refusal("tools[\(index)]", "only function tools can be sent to the Messages API")
                }
                var mapped: JSONObject = ["name": .string(name), "input_schema": function["parameters"] ?? ["type": "object", "properties": [:]]]
                if let description = function["description"]?.stringValue { mapped["description"] = .string(description) }
                tools.append(.object(mapped))
            }
            body["tools"] = .array(tools)
        }
        var choice: JSONObject?
        switch parameters["tool_choice"] {
        case nil, .null?: break
        case .string("auto")?: choice = ["type": "auto"]
        case .string("required")?: choice = ["type": "any"]
        case .string("none")?: choice = ["type": "none"]
        case let value?:
            guard value["type"]?.stringValue == "function", let name = value["function"]?["name"]?.stringValue else {
                throw refusal("tool_choice", "expected auto, required, none or a named function")
            }
            choice = ["type": "tool", "name": .string(name)]
        }
        if parameters["parallel_tool_calls"]?.boolValue == false, body["tools"] != nil {
            var object = choice ?? ["type": "auto"]
            if object["type"]?.stringValue != "none" { object["disable_parallel_tool_use"] = true }
            choice = object
        }
        if let choice { body["tool_choice"] = .object(choice) }
    }

    /// The conversation as alternating user and assistant turns of content blocks.
    func turns(_ messages: [ChatMessage]) throws(ProviderFailure) -> [JSONObject] {
        var turns: [(role: String, blocks: [JSONValue])] = []
        for (index, message) in messages.enumerated() where !message.role.isInstruction {
            let role: String
            var blocks: [JSONValue] = []
            switch message.role {
            case .assistant:
                role = "assistant"
                blocks = try contentBlocks(message, index: index)
                if let refusal = message.wire?["refusal"]?.stringValue, !refusal.isEmpty, blocks.isEmpty { blocks.append(["type": "text", "text": .string(refusal)]) }
                for (position, call) in message.toolCalls.enumerated() {
                    let input: JSONValue
                    if call.arguments.allSatisfy(\.isWhitespace) {
                        input = [:]
                    } else {
                        guard let parsed = try? JSONParser.parse(call.arguments), parsed.objectValue != nil else {
                            throw refusal("messages[\(index)].tool_calls[\(position)].function.arguments", "the Messages API needs tool arguments as a JSON object")
                        }
                        input = parsed
                    }
                    blocks.append(["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": input])
                }
            case .tool:
                role = "user"
                var result: JSONObject = ["type": "tool_result", "tool_use_id": .string(message.toolCallID ?? "")]
                let content = try contentBlocks(message, index: index)
                result["content"] = message.contentParts == nil ? .string(message.content) : .array(content)
                blocks = [.object(result)]
            case .function:
                throw refusal("messages[\(index)]", "legacy function messages have no call id; use tools and tool messages")
            default:
                role = "user"
                blocks = try contentBlocks(message, index: index)
            }
            // An empty turn carries nothing, and the API refuses it.
            guard !blocks.isEmpty else { continue }
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        // The conversation must start with a user turn.
        if turns.first?.role == "assistant" { turns.insert(("user", [["type": "text", "text": "(continue)"]]), at: 0) }
        return turns.map { ["role": .string($0.role), "content": .array($0.blocks)] }
    }

    /// A message's content as blocks; whitespace-only text is left out (the API refuses it).
    private func contentBlocks(_ message: ChatMessage, index: Int) throws(ProviderFailure) -> [JSONValue] {
        guard let parts = message.contentParts else {
            return message.content.allSatisfy(\.isWhitespace) ? [] : [["type": "text", "text": .string(message.content)]]
        }
        var blocks: [JSONValue] = []
        for (position, part) in parts.enumerated() {
            let field = "messages[\(index)].content[\(position)]"
            switch part["type"]?.stringValue {
            case "text":
                let text = part["text"]?.stringValue ?? ""
                if !text.allSatisfy(\.isWhitespace) { blocks.append(["type": "text", "text": .string(text)]) }
            case "image_url":
                let url = part["image_url"]?["url"]?.stringValue ?? ""
                if url.hasPrefix("data:") {
                    guard let (mediaType, data) = Self.base64DataURI(url) else {
                        throw refusal("\(field).image_url.url", "a data URI must be base64 (data:image/png;base64,…)")
                    }
                    blocks.append(["type": "image", "source": ["type": "base64", "media_type": .string(mediaType), "data": .string(data)]])
                } else {
                    blocks.append(["type": "image", "source": ["type": "url", "url": .string(url)]])
                }
            case "file":
                guard let data = part["file"]?["file_data"]?.stringValue, let (mediaType, payload) = Self.base64DataURI(data) else {
                    throw refusal(field, "only files sent inline as a base64 data URI (file_data) can be sent to the Messages API")
                }
                blocks.append(["type": "document", "source": ["type": "base64", "media_type": .string(mediaType), "data": .string(payload)]])
            case "input_audio":
                throw refusal(field, "the Messages API takes no audio input")
            case let other:
                throw refusal(field, "the Messages API has no '\(other ?? "untyped")' content part")
            }
        }
        return blocks
    }

    /// The media type and payload of `data:<type>;base64,<payload>`.
    static func base64DataURI(_ uri: String) -> (String, String)? {
        guard uri.hasPrefix("data:"), let comma = uri.firstIndex(of: ",") else { return nil }
        let header = uri[uri.index(uri.startIndex, offsetBy: 5)..<comma]
        guard header.hasSuffix(";base64") else { return nil }
        let mediaType = String(header.dropLast(7))
        return (mediaType.isEmpty ? "application/octet-stream" : mediaType, String(uri[uri.index(after: comma)...]))
    }
}
