import ServingEngine

/// Bridges a `POST /v1/responses` body onto a chat request for the engine, for text, images,
/// files and function tools:
///
/// - `instructions` → a system message; `input` (a string, or a list of items: messages with
///   `input_text`/`input_image`/`input_file`/`output_text` parts, `function_call` and
///   `function_call_output` items) → the conversation, function calls as an assistant message's
///   `tool_calls` and their outputs as `tool` messages.
/// - `tools` (function tools) and `tool_choice` → their Chat Completions forms; `text.format` →
///   `response_format`; `max_output_tokens` → `max_completion_tokens`; `reasoning.effort` →
///   `reasoning_effort`; `temperature`, `top_p`, `parallel_tool_calls`, `user`, `metadata` as they are.
/// - Refused with a 400: `previous_response_id`, `conversation` and `store: true` (Switchboard
///   keeps no responses), built-in tools (web search, file search…), and item types it cannot carry.
struct ResponsesRequestMapping {
    var maxMessages = Int.max
    var maxPromptBytes = Int.max

    struct Mapped: Sendable {
        var request: ChatRequest
        /// The request fields the response object echoes (`instructions`, `tools`, `temperature`…).
        var echo: JSONObject
    }

    static let echoed = ["instructions", "tools", "tool_choice", "temperature", "top_p", "max_output_tokens", "text", "metadata", "parallel_tool_calls", "reasoning", "user", "truncation"]

    func parse(_ bytes: some Collection<UInt8>) throws(APIError) -> Mapped {
        let body = try ChatCompletionRequestParser.object(bytes, expecting: "'model' and 'input'")
        guard let model = body["model"]?.stringValue, !model.isEmpty else {
            throw APIError(.badRequest, "'model' must be a non-empty string ('auto' lets Switchboard choose)", param: "model", code: body["model"] == nil ? "missing_field" : "invalid_type")
        }
        for field in ["previous_response_id", "conversation"] where body[field] != nil && body[field]?.isNull == false {
            throw APIError(.badRequest, "'\(field)' needs stored responses, which Switchboard does not keep; send the whole conversation in 'input' instead", param: field, code: "unsupported_parameter")
        }
        if body["store"]?.boolValue == true {
            throw APIError(.badRequest, "'store': true asks Switchboard to keep the response, which it does not; send store: false or leave it out", param: "store", code: "unsupported_parameter")
        }
        if let background = body["background"]?.boolValue, background {
            throw APIError(.badRequest, "'background' responses need storage, which Switchboard does not keep", param: "background", code: "unsupported_parameter")
        }
        var messages: [JSONValue] = []
        if let instructions = body["instructions"], !instructions.isNull {
            guard let text = instructions.stringValue else {
                throw APIError(.badRequest, "'instructions' must be a string, got \(instructions.typeDescription)", param: "instructions", code: "invalid_type")
            }
            messages.append(["role": "system", "content": .string(text)])
        }
        switch body["input"] {
        case .string(let text)?:
            messages.append(["role": "user", "content": .string(text)])
        case .array(let items)?:
            messages += try Self.messages(items)
        case nil:
            throw APIError(.badRequest, "missing required field 'input' (a string or a list of input items)", param: "input", code: "missing_field")
        case let other?:
            throw APIError(.badRequest, "'input' must be a string or a list of input items, got \(other.typeDescription)", param: "input", code: "invalid_type")
        }
        var chat: JSONObject = ["model": .string(model), "messages": .array(messages)]
        if let stream = body["stream"] { chat["stream"] = stream }
        for key in ["temperature", "top_p", "parallel_tool_calls", "user", "metadata", "top_logprobs"] where body[key] != nil { chat[key] = body[key] }
        if let limit = body["max_output_tokens"], !limit.isNull { chat["max_completion_tokens"] = limit }
        if let effort = body["reasoning"]?["effort"], !effort.isNull { chat["reasoning_effort"] = effort }
        if let tools = body["tools"], !tools.isNull { chat["tools"] = try Self.tools(tools) }
        if let choice = body["tool_choice"], !choice.isNull { chat["tool_choice"] = try Self.toolChoice(choice) }
        if let format = body["text"]?["format"], !format.isNull { chat["response_format"] = try Self.responseFormat(format) }
        let parsed = try ChatCompletionRequestParser(maxMessages: maxMessages, maxPromptBytes: maxPromptBytes).parse(JSONValue.object(chat).serialized)
        var echo = JSONObject()
        for key in Self.echoed where body[key] != nil { echo[key] = body[key] }
        return Mapped(request: parsed.request, echo: echo)
    }

    /// Input items as chat messages.
    static func messages(_ items: [JSONValue]) throws(APIError) -> [JSONValue] {
        var messages: [JSONValue] = []
        var pendingCalls: [JSONValue] = []
        func flushCalls() {
            guard !pendingCalls.isEmpty else { return }
            messages.append(["role": "assistant", "content": .null, "tool_calls": .array(pendingCalls)])
            pendingCalls = []
        }
        for (index, item) in items.enumerated() {
            let field = "input[\(index)]"
            let type = item["type"]?.stringValue ?? (item["role"] != nil ? "message" : nil)
            switch type {
            case "message":
                flushCalls()
                guard let role = item["role"]?.stringValue, ["user", "system", "developer", "assistant"].contains(role) else {
                    throw APIError(.badRequest, "'\(field).role' must be user, system, developer or assistant", param: "\(field).role", code: "invalid_value")
                }
                messages.append(["role": .string(role), "content": try content(item["content"], field: "\(field).content")])
            case "function_call":
                guard let callID = item["call_id"]?.stringValue, let name = item["name"]?.stringValue else {
                    throw APIError(.badRequest, "'\(field)' (a function_call) needs 'call_id' and 'name'", param: field, code: "invalid_value")
                }
                pendingCalls.append(["id": .string(callID), "type": "function", "function": ["name": .string(name), "arguments": item["arguments"] ?? "{}"]])
            case "function_call_output":
                flushCalls()
                guard let callID = item["call_id"]?.stringValue else {
                    throw APIError(.badRequest, "'\(field).call_id' is missing; a function_call_output names the call it answers", param: "\(field).call_id", code: "missing_field")
                }
                let output: JSONValue = item["output"]?.stringValue.map(JSONValue.string) ?? .string(item["output"]?.jsonString ?? "")
                messages.append(["role": "tool", "tool_call_id": .string(callID), "content": output])
            default:
                throw APIError(.badRequest, "'\(field)' has type '\(type ?? "none")'; Switchboard carries message, function_call and function_call_output items", param: field, code: "unsupported_value")
            }
        }
        flushCalls()
        return messages
    }

    static func content(_ value: JSONValue?, field: String) throws(APIError) -> JSONValue {
        switch value {
        case .string(let text)?: return .string(text)
        case .array(let parts)?:
            var mapped: [JSONValue] = []
            for (index, part) in parts.enumerated() {
                let partField = "\(field)[\(index)]"
                switch part["type"]?.stringValue {
                case "input_text", "output_text":
                    mapped.append(["type": "text", "text": part["text"] ?? ""])
                case "input_image":
                    guard let url = part["image_url"]?.stringValue else {
                        throw APIError(.badRequest, "'\(partField).image_url' must be a URL or a data: URI (file_id images need stored files, which Switchboard does not keep)", param: partField, code: "invalid_value")
                    }
                    var image: JSONObject = ["url": .string(url)]
                    if let detail = part["detail"] { image["detail"] = detail }
                    mapped.append(["type": "image_url", "image_url": .object(image)])
                case "input_file":
                    var file = JSONObject()
                    for key in ["file_data", "file_id", "filename"] where part[key] != nil { file[key] = part[key] }
                    mapped.append(["type": "file", "file": .object(file)])
                case "refusal":
                    mapped.append(["type": "text", "text": part["refusal"] ?? ""])
                case let other:
                    throw APIError(.badRequest, "'\(partField)' has type '\(other ?? "none")'; expected input_text, input_image, input_file or output_text", param: partField, code: "unsupported_value")
                }
            }
            return .array(mapped)
        default:
            throw APIError(.badRequest, "'\(field)' must be a string or a list of content parts", param: field, code: "invalid_type")
        }
    }

    static func tools(_ value: JSONValue) throws(APIError) -> JSONValue {
        guard let list = value.arrayValue else {
            throw APIError(.badRequest, "'tools' must be a list, got \(value.typeDescription)", param: "tools", code: "invalid_type")
        }
        var tools: [JSONValue] = []
        for (index, tool) in list.enumerated() {
            guard tool["type"]?.stringValue == "function", let name = tool["name"]?.stringValue else {
                throw APIError(.badRequest, "'tools[\(index)]' is a '\(tool["type"]?.stringValue ?? "untyped")' tool; Switchboard carries function tools ({type: function, name, parameters})", param: "tools[\(index)]", code: "unsupported_value")
            }
            var function: JSONObject = ["name": .string(name)]
            for key in ["description", "parameters", "strict"] where tool[key] != nil && tool[key]?.isNull == false { function[key] = tool[key] }
            tools.append(["type": "function", "function": .object(function)])
        }
        return .array(tools)
    }

    static func toolChoice(_ value: JSONValue) throws(APIError) -> JSONValue {
        if value.stringValue != nil { return value }
        guard value["type"]?.stringValue == "function", let name = value["name"]?.stringValue else {
            throw APIError(.badRequest, "'tool_choice' must be auto, required, none or {type: function, name}", param: "tool_choice", code: "invalid_value")
        }
        return ["type": "function", "function": ["name": .string(name)]]
    }

    static func responseFormat(_ format: JSONValue) throws(APIError) -> JSONValue {
        switch format["type"]?.stringValue {
        case "text": return ["type": "text"]
        case "json_object": return ["type": "json_object"]
        case "json_schema":
            var schema: JSONObject = ["name": format["name"] ?? "response"]
            for key in ["schema", "strict", "description"] where format[key] != nil { schema[key] = format[key] }
            return ["type": "json_schema", "json_schema": .object(schema)]
        default:
            throw APIError(.badRequest, "'text.format.type' must be text, json_object or json_schema", param: "text.format", code: "invalid_value")
        }
    }
}
