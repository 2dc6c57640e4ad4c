import ServingEngine

/// Reads and checks one message of a chat request, keeping its wire form for the providers.
///
/// Accepts every role of the Chat Completions API (`system`, `developer`, `user`, `assistant`,
/// `tool`, legacy `function`), content as a string or a list of parts (`text`, `image_url`,
/// `input_audio`, `file`, and part types Switchboard does not know, which pass through), assistant
/// `tool_calls`, `function_call` and `refusal`, and a tool message's `tool_call_id`.
enum ChatMessageParser {
    static func message(_ raw: JSONValue, index: Int) throws(APIError) -> ChatMessage {
        let path = "messages[\(index)]"
        guard let mapping = raw.objectValue else {
            throw APIError(.badRequest, "'\(path)' must be an object with 'role' and 'content', got \(raw.typeDescription)", param: path, code: "invalid_type")
        }
        guard let roleValue = mapping["role"] else {
            throw APIError(.badRequest, "'\(path).role' is missing; expected one of: \(roleNames)", param: "\(path).role", code: "missing_field")
        }
        guard let roleName = roleValue.stringValue, let role = ChatRole(rawValue: roleName) else {
            throw APIError(.badRequest, "'\(path).role' must be one of: \(roleNames), got \(roleValue.typeDescription)", param: "\(path).role", code: "invalid_value")
        }
        if let name = mapping["name"], name.stringValue == nil {
            throw APIError(.badRequest, "'\(path).name' must be a string, got \(name.typeDescription)", param: "\(path).name", code: "invalid_type")
        }
        let calls = try toolCalls(mapping, path: path, role: role)
        if let call = mapping["function_call"], !call.isNull {
            guard role == .assistant, call["name"]?.stringValue != nil else {
                throw APIError(.badRequest, "'\(path).function_call' must be an object with 'name' and 'arguments', on an assistant message", param: "\(path).function_call", code: "invalid_value")
            }
        }
        if role == .tool {
            guard let id = mapping["tool_call_id"], id.stringValue?.isEmpty == false else {
                throw APIError(.badRequest, "'\(path).tool_call_id' is missing; a tool message must name the call it answers (the 'id' of one of the assistant's tool_calls)", param: "\(path).tool_call_id", code: "missing_field")
            }
        }
        if role == .function, mapping["name"]?.stringValue == nil {
            throw APIError(.badRequest, "'\(path).name' is missing; a function message must name the function it answers", param: "\(path).name", code: "missing_field")
        }
        let text: String
        switch mapping["content"] {
        case nil, .null?:
            // An assistant turn that only called tools, or refused, has no content.
            guard role == .assistant, calls || mapping["function_call"] != nil || mapping["refusal"]?.stringValue != nil else {
                let hint = role == .assistant ? " (an assistant message may omit it only when it has tool_calls, function_call or refusal)" : ""
                throw APIError(.badRequest, "'\(path).content' is missing; expected a string or a list of content parts\(hint)", param: "\(path).content", code: "missing_field")
            }
            text = ""
        case .string(let string)?:
            text = string
        case .array(let parts)?:
            text = try partsText(parts, path: "\(path).content")
        case let other?:
            throw APIError(.badRequest, "'\(path).content' must be a string or a list of content parts, got \(other.typeDescription)", param: "\(path).content", code: "invalid_type")
        }
        return ChatMessage(role: role, content: text, wire: mapping)
    }

    private static let roleNames = ChatRole.allCases.map(\.rawValue).joined(separator: ", ")

    /// Checks an assistant message's `tool_calls`; whether it has any.
    private static func toolCalls(_ mapping: JSONObject, path: String, role: ChatRole) throws(APIError) -> Bool {
        guard let value = mapping["tool_calls"], !value.isNull else { return false }
        guard role == .assistant else {
            throw APIError(.badRequest, "'\(path).tool_calls' is only for assistant messages; the result of a call goes in a 'tool' message with 'tool_call_id'", param: "\(path).tool_calls", code: "invalid_value")
        }
        guard let calls = value.arrayValue else {
            throw APIError(.badRequest, "'\(path).tool_calls' must be a list of {id, type, function: {name, arguments}}, got \(value.typeDescription)", param: "\(path).tool_calls", code: "invalid_type")
        }
        for (index, call) in calls.enumerated() {
            let field = "\(path).tool_calls[\(index)]"
            guard call["id"]?.stringValue != nil else {
                throw APIError(.badRequest, "'\(field).id' must be a string (the id the tool message answers)", param: "\(field).id", code: "invalid_value")
            }
            guard let function = call["function"], function["name"]?.stringValue != nil else {
                throw APIError(.badRequest, "'\(field).function' must be an object with 'name' and 'arguments'", param: "\(field).function", code: "invalid_value")
            }
            if let arguments = function["arguments"], arguments.stringValue == nil {
                throw APIError(.badRequest, "'\(field).function.arguments' must be a string of JSON, got \(arguments.typeDescription)", param: "\(field).function.arguments", code: "invalid_type")
            }
        }
        return !calls.isEmpty
    }

    /// The text of a list of content parts, checking the parts Switchboard knows.
    private static func partsText(_ parts: [JSONValue], path: String) throws(APIError) -> String {
        var texts: [String] = []
        for (index, part) in parts.enumerated() {
            let field = "\(path)[\(index)]"
            guard let type = part["type"]?.stringValue else {
                throw APIError(.badRequest, "'\(field)' must be an object with a 'type' (text, image_url, input_audio, file)", param: field, code: "invalid_type")
            }
            switch type {
            case "text":
                guard let text = part["text"]?.stringValue else {
                    throw APIError(.badRequest, "'\(field).text' must be a string", param: "\(field).text", code: "invalid_type")
                }
                texts.append(text)
            case "image_url":
                guard let url = part["image_url"]?["url"]?.stringValue, !url.isEmpty else {
                    throw APIError(.badRequest, "'\(field).image_url' must be an object with 'url' (an http(s) URL or a data: URI)", param: "\(field).image_url", code: "invalid_value")
                }
                guard url.hasPrefix("http://") || url.hasPrefix("https://") || url.hasPrefix("data:") else {
                    throw APIError(.badRequest, "'\(field).image_url.url' must be an http(s) URL or a data: URI, got \"\(url.prefix(40))\"", param: "\(field).image_url.url", code: "invalid_value")
                }
            case "input_audio":
                guard part["input_audio"]?["data"]?.stringValue != nil, part["input_audio"]?["format"]?.stringValue != nil else {
                    throw APIError(.badRequest, "'\(field).input_audio' must be an object with 'data' (base64) and 'format' (wav, mp3…)", param: "\(field).input_audio", code: "invalid_value")
                }
            case "file":
                guard let file = part["file"]?.objectValue, file["file_id"]?.stringValue != nil || file["file_data"]?.stringValue != nil else {
                    throw APIError(.badRequest, "'\(field).file' must be an object with 'file_id' or 'file_data'", param: "\(field).file", code: "invalid_value")
                }
            default:
                // A part type Switchboard does not know (a refusal part, a vendor's own): forwarded as sent.
                break
            }
        }
        return texts.joined(separator: "\n")
    }
}
