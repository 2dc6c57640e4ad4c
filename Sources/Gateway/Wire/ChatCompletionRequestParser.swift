import ServingEngine

/// Turns a `/v1/chat/completions` body into a ``ChatRequest``, or an ``APIError`` that names
/// the field at fault and what was expected.
///
/// The body stays the source of truth: messages keep their wire form and every field but `model`,
/// `messages`, `stream` and `stream_options` is kept in ``ChatRequest/parameters`` to be forwarded.
/// Fields Switchboard knows are checked here so that a mistake is a 400 that says which field is
/// wrong and how (`messages[1].content[0].image_url.url must be a string`); fields it does not know
/// pass through unchecked.
struct ChatCompletionRequestParser {
    /// The most messages a request may carry (`gateway.max_messages`).
    var maxMessages = Int.max
    /// The most UTF-8 bytes of message text a request may carry (`gateway.max_prompt_bytes`).
    var maxPromptBytes = Int.max

    /// What the parser read besides the engine's request.
    struct Parsed: Sendable {
        var request: ChatRequest
        var includeUsage: Bool
    }

    /// Fields the engine reads itself rather than forwards as parameters.
    static let engineFields: Set<String> = ["model", "messages", "stream", "stream_options"]

    func parse(_ bytes: some Collection<UInt8>) throws(APIError) -> Parsed {
        let body = try Self.object(bytes, expecting: "'model' and 'messages'")
        guard let modelValue = body["model"] else {
            throw APIError(.badRequest, "missing required field 'model' (a string; 'auto' lets Switchboard choose)", param: "model", code: "missing_field")
        }
        guard let model = modelValue.stringValue, !model.isEmpty else {
            throw APIError(.badRequest, "'model' must be a non-empty string, got \(modelValue.typeDescription)", param: "model", code: "invalid_type")
        }
        guard let messagesValue = body["messages"] else {
            throw APIError(.badRequest, "missing required field 'messages' (a list of {role, content})", param: "messages", code: "missing_field")
        }
        guard let rawMessages = messagesValue.arrayValue else {
            throw APIError(.badRequest, "'messages' must be a list of {role, content}, got \(messagesValue.typeDescription)", param: "messages", code: "invalid_type")
        }
        guard !rawMessages.isEmpty else {
            throw APIError(.badRequest, "'messages' is empty; send at least one message", param: "messages", code: "empty_messages")
        }
        guard rawMessages.count <= maxMessages else {
            throw APIError(.badRequest, "'messages' has \(rawMessages.count) messages, more than the gateway's limit of \(maxMessages) (gateway.max_messages); shorten the conversation or raise the limit", param: "messages", code: "too_many_messages")
        }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(rawMessages.count)
        var promptBytes = 0
        for (index, raw) in rawMessages.enumerated() {
            let message = try ChatMessageParser.message(raw, index: index)
            promptBytes += message.content.utf8.count
            guard promptBytes <= maxPromptBytes else {
                throw APIError(.badRequest, "the messages' content reaches \(promptBytes) bytes by messages[\(index)], more than the gateway's limit of \(maxPromptBytes) bytes (gateway.max_prompt_bytes); shorten the prompt or raise the limit", param: "messages", code: "prompt_too_long")
            }
            messages.append(message)
        }
        var parameters = JSONObject()
        for (key, value) in body where !Self.engineFields.contains(key) { parameters[key] = value }
        try ChatParameterChecks.check(parameters)
        var stream = false
        if let value = body["stream"], !value.isNull {
            guard let flag = value.boolValue else {
                throw APIError(.badRequest, "'stream' must be true or false, got \(value.typeDescription)", param: "stream", code: "invalid_type")
            }
            stream = flag
        }
        var includeUsage = false
        if let options = body["stream_options"], !options.isNull {
            guard let mapping = options.objectValue else {
                throw APIError(.badRequest, "'stream_options' must be an object, e.g. {\"include_usage\": true}", param: "stream_options", code: "invalid_type")
            }
            if let value = mapping["include_usage"], !value.isNull {
                guard let flag = value.boolValue else {
                    throw APIError(.badRequest, "'stream_options.include_usage' must be true or false", param: "stream_options.include_usage", code: "invalid_type")
                }
                includeUsage = flag
            }
        }
        let request = ChatRequest(model: model, messages: messages, stream: stream, parameters: parameters)
        return Parsed(request: request, includeUsage: includeUsage)
    }

    /// Parses a body that must be one JSON object; `expecting` names what it should hold.
    static func object(_ bytes: some Collection<UInt8>, expecting: String) throws(APIError) -> JSONObject {
        guard !bytes.isEmpty else {
            throw APIError(.badRequest, "the body is not valid JSON: the body is empty; send a JSON object with \(expecting)", code: "invalid_json")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw APIError(.badRequest, "the body is not valid JSON: \(error)", code: "invalid_json")
        }
        guard let body = value.objectValue else {
            throw APIError(.badRequest, "the body must be a JSON object with \(expecting), got \(value.typeDescription)", code: "invalid_json")
        }
        return body
    }
}
