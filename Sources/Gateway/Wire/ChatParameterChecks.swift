import ServingEngine

/// Checks the request fields Switchboard knows, so that a wrong type or range is a 400 naming the
/// field rather than a surprise upstream. Fields it does not know are not checked: they are the
/// provider's to judge.
enum ChatParameterChecks {
    static func check(_ parameters: JSONObject) throws(APIError) {
        try number(parameters, "temperature", in: 0...2)
        try number(parameters, "top_p", in: 0...1)
        try number(parameters, "presence_penalty", in: -2...2)
        try number(parameters, "frequency_penalty", in: -2...2)
        try integer(parameters, "max_tokens", in: 1...100_000_000)
        try integer(parameters, "max_completion_tokens", in: 1...100_000_000)
        try integer(parameters, "n", in: 1...128)
        try integer(parameters, "seed", in: Int(Int64.min)...Int(Int64.max))
        try integer(parameters, "top_logprobs", in: 0...20)
        try flag(parameters, "logprobs")
        try flag(parameters, "parallel_tool_calls")
        try flag(parameters, "store")
        if let value = present(parameters, "stop") {
            let valid = value.stringValue != nil || value.arrayValue?.allSatisfy { $0.stringValue != nil } == true
            guard valid else {
                throw APIError(.badRequest, "'stop' must be a string or a list of strings, got \(value.typeDescription)", param: "stop", code: "invalid_type")
            }
        }
        if let value = present(parameters, "logit_bias") {
            guard let biases = value.objectValue else {
                throw APIError(.badRequest, "'logit_bias' must be an object of token ids to numbers between -100 and 100, got \(value.typeDescription)", param: "logit_bias", code: "invalid_type")
            }
            for (token, bias) in biases {
                guard Int(token) != nil, let number = bias.doubleValue, (-100...100).contains(number) else {
                    throw APIError(.badRequest, "'logit_bias[\"\(token.prefix(20))\"]' must map a token id (digits) to a number between -100 and 100", param: "logit_bias", code: "invalid_value")
                }
            }
        }
        if present(parameters, "top_logprobs") != nil, parameters["logprobs"]?.boolValue != true {
            throw APIError(.badRequest, "'top_logprobs' needs 'logprobs': true", param: "top_logprobs", code: "invalid_value")
        }
        try tools(parameters)
        try responseFormat(parameters)
        for key in ["user", "reasoning_effort", "service_tier"] {
            if let value = present(parameters, key), value.stringValue == nil {
                throw APIError(.badRequest, "'\(key)' must be a string, got \(value.typeDescription)", param: key, code: "invalid_type")
            }
        }
        if let value = present(parameters, "metadata"), value.objectValue == nil {
            throw APIError(.badRequest, "'metadata' must be an object of strings, got \(value.typeDescription)", param: "metadata", code: "invalid_type")
        }
    }

    private static func tools(_ parameters: JSONObject) throws(APIError) {
        for key in ["tools", "functions"] {
            guard let value = present(parameters, key) else { continue }
            guard let list = value.arrayValue else {
                throw APIError(.badRequest, "'\(key)' must be a list of tools, got \(value.typeDescription)", param: key, code: "invalid_type")
            }
            for (index, tool) in list.enumerated() {
                let field = "\(key)[\(index)]"
                let function = key == "tools" ? tool["function"] : tool
                if key == "tools" {
                    guard let type = tool["type"]?.stringValue else {
                        throw APIError(.badRequest, "'\(field).type' must be a string (\"function\")", param: "\(field).type", code: "invalid_type")
                    }
                    guard type == "function" else { continue }  // other tool types pass through
                }
                guard let name = function?["name"]?.stringValue, !name.isEmpty else {
                    throw APIError(.badRequest, "'\(field)\(key == "tools" ? ".function" : "").name' must be a non-empty string", param: field, code: "invalid_value")
                }
                if let schema = function?["parameters"], schema.objectValue == nil {
                    throw APIError(.badRequest, "'\(field)\(key == "tools" ? ".function" : "").parameters' must be a JSON Schema object, got \(schema.typeDescription)", param: field, code: "invalid_type")
                }
            }
        }
        if let choice = present(parameters, "tool_choice") {
            switch choice {
            case .string(let mode):
                guard ["none", "auto", "required"].contains(mode) else {
                    throw APIError(.badRequest, "'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": …}}, got \"\(mode.prefix(40))\"", param: "tool_choice", code: "invalid_value")
                }
            case .object:
                guard choice["type"]?.stringValue != nil else {
                    throw APIError(.badRequest, "'tool_choice' as an object needs a 'type', e.g. {\"type\": \"function\", \"function\": {\"name\": …}}", param: "tool_choice", code: "invalid_value")
                }
            default:
                throw APIError(.badRequest, "'tool_choice' must be a string or an object, got \(choice.typeDescription)", param: "tool_choice", code: "invalid_type")
            }
        }
    }

    private static func responseFormat(_ parameters: JSONObject) throws(APIError) {
        guard let format = present(parameters, "response_format") else { return }
        guard let type = format["type"]?.stringValue else {
            throw APIError(.badRequest, "'response_format' must be an object with a 'type' (text, json_object or json_schema), got \(format.typeDescription)", param: "response_format", code: "invalid_type")
        }
        switch type {
        case "text", "json_object":
            break
        case "json_schema":
            guard let schema = format["json_schema"]?.objectValue, schema["name"]?.stringValue != nil else {
                throw APIError(.badRequest, "'response_format.json_schema' must be an object with 'name' and 'schema'", param: "response_format.json_schema", code: "invalid_value")
            }
            if let body = schema["schema"], body.objectValue == nil {
                throw APIError(.badRequest, "'response_format.json_schema.schema' must be a JSON Schema object, got \(body.typeDescription)", param: "response_format.json_schema.schema", code: "invalid_type")
            }
        default:
            throw APIError(.badRequest, "'response_format.type' must be text, json_object or json_schema, got \"\(type.prefix(40))\"", param: "response_format.type", code: "invalid_value")
        }
    }

    private static func present(_ parameters: JSONObject, _ key: String) -> JSONValue? {
        guard let value = parameters[key], !value.isNull else { return nil }
        return value
    }

    private static func number(_ parameters: JSONObject, _ key: String, in range: ClosedRange<Double>) throws(APIError) {
        guard let value = present(parameters, key) else { return }
        guard let number = value.doubleValue else {
            throw APIError(.badRequest, "'\(key)' must be a number, got \(value.typeDescription)", param: key, code: "invalid_type")
        }
        guard range.contains(number) else {
            throw APIError(.badRequest, "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), got \(number)", param: key, code: "invalid_value")
        }
    }

    private static func integer(_ parameters: JSONObject, _ key: String, in range: ClosedRange<Int>) throws(APIError) {
        guard let value = present(parameters, key) else { return }
        guard let number = value.intValue else {
            throw APIError(.badRequest, "'\(key)' must be a whole number, got \(value.typeDescription)", param: key, code: "invalid_type")
        }
        guard range.contains(number) else {
            let bound = range.upperBound >= Int(Int64.max) ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            throw APIError(.badRequest, "'\(key)' must be \(bound), got \(number)", param: key, code: "invalid_value")
        }
    }

    private static func flag(_ parameters: JSONObject, _ key: String) throws(APIError) {
        guard let value = present(parameters, key) else { return }
        guard value.boolValue != nil else {
            throw APIError(.badRequest, "'\(key)' must be true or false, got \(value.typeDescription)", param: key, code: "invalid_type")
        }
    }
}
