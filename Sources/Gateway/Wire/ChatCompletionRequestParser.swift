import Foundation
import ServingEngine

/// Turns a `/v1/chat/completions` body into a ``ChatRequest``, or an ``APIError`` that names
/// the field at fault and what was expected.
///
/// Written against `JSONSerialization` rather than `Decodable` so that every message can say
/// which field is wrong and how (`messages[1].content must be a string or a list of text parts`).
struct ChatCompletionRequestParser {
    /// The most messages a request may carry (`gateway.max_messages`).
    var maxMessages = Int.max
    /// The most UTF-8 bytes of message content a request may carry (`gateway.max_prompt_bytes`).
    var maxPromptBytes = Int.max

    /// What the parser read besides the engine's request.
    struct Parsed: Sendable {
        var request: ChatRequest
        var includeUsage: Bool
    }

    func parse(_ data: Data) throws(APIError) -> Parsed {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw APIError(.badRequest, "the body is not valid JSON: \(Self.describe(error, data: data))", code: "invalid_json")
        }
        guard let body = object as? [String: Any] else {
            throw APIError(.badRequest, "the body must be a JSON object with 'model' and 'messages'", code: "invalid_json")
        }
        guard let modelValue = body["model"] else {
            throw APIError(.badRequest, "missing required field 'model' (a string; 'auto' lets Switchboard choose)", param: "model", code: "missing_field")
        }
        guard let model = modelValue as? String, !model.isEmpty else {
            throw APIError(.badRequest, "'model' must be a non-empty string, got \(Self.typeName(modelValue))", param: "model", code: "invalid_type")
        }
        guard let messagesValue = body["messages"] else {
            throw APIError(.badRequest, "missing required field 'messages' (a list of {role, content})", param: "messages", code: "missing_field")
        }
        guard let rawMessages = messagesValue as? [Any] else {
            throw APIError(.badRequest, "'messages' must be a list of {role, content}, got \(Self.typeName(messagesValue))", param: "messages", code: "invalid_type")
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
            let message = try Self.message(raw, index: index)
            promptBytes += message.content.utf8.count
            guard promptBytes <= maxPromptBytes else {
                throw APIError(.badRequest, "the messages' content reaches \(promptBytes) bytes by messages[\(index)], more than the gateway's limit of \(maxPromptBytes) bytes (gateway.max_prompt_bytes); shorten the prompt or raise the limit", param: "messages", code: "prompt_too_long")
            }
            messages.append(message)
        }

        var sampling = SamplingParameters()
        sampling.temperature = try Self.number(body, "temperature", in: 0...2)
        sampling.topP = try Self.number(body, "top_p", in: 0...1)
        let completionLimit = try Self.integer(body, "max_completion_tokens")
        let legacyLimit = try Self.integer(body, "max_tokens")
        let maxTokens = completionLimit ?? legacyLimit
        if let maxTokens, maxTokens < 1 {
            throw APIError(.badRequest, "'max_tokens' must be at least 1, got \(maxTokens)", param: "max_tokens", code: "invalid_value")
        }
        sampling.maxTokens = maxTokens
        if let stop = body["stop"], !(stop is NSNull) {
            if let single = stop as? String {
                sampling.stop = [single]
            } else if let list = stop as? [Any], list.allSatisfy({ $0 is String }) {
                sampling.stop = list.compactMap { $0 as? String }
            } else {
                throw APIError(.badRequest, "'stop' must be a string or a list of strings, got \(Self.typeName(stop))", param: "stop", code: "invalid_type")
            }
        }
        var stream = false
        if let value = body["stream"], !(value is NSNull) {
            guard let flag = Self.bool(value) else {
                throw APIError(.badRequest, "'stream' must be true or false, got \(Self.typeName(value))", param: "stream", code: "invalid_type")
            }
            stream = flag
        }
        var includeUsage = false
        if let options = body["stream_options"], !(options is NSNull) {
            guard let mapping = options as? [String: Any] else {
                throw APIError(.badRequest, "'stream_options' must be an object, e.g. {\"include_usage\": true}", param: "stream_options", code: "invalid_type")
            }
            if let value = mapping["include_usage"], !(value is NSNull) {
                guard let flag = Self.bool(value) else {
                    throw APIError(.badRequest, "'stream_options.include_usage' must be true or false", param: "stream_options.include_usage", code: "invalid_type")
                }
                includeUsage = flag
            }
        }
        if let n = try Self.integer(body, "n"), n != 1 {
            throw APIError(.badRequest, "'n' must be 1; Switchboard returns one choice per request", param: "n", code: "unsupported_value")
        }
        let request = ChatRequest(model: model, messages: messages, sampling: sampling, stream: stream)
        return Parsed(request: request, includeUsage: includeUsage)
    }

    private static func message(_ raw: Any, index: Int) throws(APIError) -> ChatMessage {
        let path = "messages[\(index)]"
        guard let mapping = raw as? [String: Any] else {
            throw APIError(.badRequest, "'\(path)' must be an object with 'role' and 'content', got \(typeName(raw))", param: path, code: "invalid_type")
        }
        guard let roleValue = mapping["role"] else {
            throw APIError(.badRequest, "'\(path).role' is missing; expected one of: \(ChatRole.allCases.map(\.rawValue).joined(separator: ", "))", param: "\(path).role", code: "missing_field")
        }
        guard let roleName = roleValue as? String, let role = ChatRole(rawValue: roleName) else {
            throw APIError(.badRequest, "'\(path).role' must be one of: \(ChatRole.allCases.map(\.rawValue).joined(separator: ", ")), got \(typeName(roleValue))", param: "\(path).role", code: "invalid_value")
        }
        let content: String
        switch mapping["content"] {
        case nil, is NSNull:
            // Assistant turns that only called tools have no content.
            guard role == .assistant || role == .tool else {
                throw APIError(.badRequest, "'\(path).content' is missing; expected a string", param: "\(path).content", code: "missing_field")
            }
            content = ""
        case let text as String:
            content = text
        case let parts as [Any]:
            var texts: [String] = []
            for (partIndex, part) in parts.enumerated() {
                guard let object = part as? [String: Any], let type = object["type"] as? String else {
                    throw APIError(.badRequest, "'\(path).content[\(partIndex)]' must be an object with a 'type'", param: "\(path).content[\(partIndex)]", code: "invalid_type")
                }
                guard type == "text", let text = object["text"] as? String else {
                    throw APIError(.badRequest, "'\(path).content[\(partIndex)]' has type '\(type)'; only text parts ({\"type\": \"text\", \"text\": …}) are supported", param: "\(path).content[\(partIndex)]", code: "unsupported_value")
                }
                texts.append(text)
            }
            content = texts.joined(separator: "\n")
        case let other?:
            throw APIError(.badRequest, "'\(path).content' must be a string or a list of text parts, got \(typeName(other))", param: "\(path).content", code: "invalid_type")
        }
        return ChatMessage(role: role, content: content)
    }

    private static func number(_ body: [String: Any], _ key: String, in range: ClosedRange<Double>) throws(APIError) -> Double? {
        guard let value = body[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !isBoolean(number) else {
            throw APIError(.badRequest, "'\(key)' must be a number, got \(typeName(value))", param: key, code: "invalid_type")
        }
        let double = number.doubleValue
        guard range.contains(double) else {
            throw APIError(.badRequest, "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), got \(double)", param: key, code: "invalid_value")
        }
        return double
    }

    private static func integer(_ body: [String: Any], _ key: String) throws(APIError) -> Int? {
        guard let value = body[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !isBoolean(number), number.doubleValue == number.doubleValue.rounded(), abs(number.doubleValue) < 1e9 else {
            throw APIError(.badRequest, "'\(key)' must be a whole number, got \(typeName(value))", param: key, code: "invalid_type")
        }
        return number.intValue
    }

    private static func bool(_ value: Any) -> Bool? {
        guard let number = value as? NSNumber, isBoolean(number) else { return nil }
        return number.boolValue
    }

    private static func isBoolean(_ number: NSNumber) -> Bool {
        #if canImport(Darwin)
        return CFGetTypeID(number) == CFBooleanGetTypeID()
        #else
        // swift-corelibs-foundation stores JSON booleans as `NSNumber(value: Bool)`, type "c".
        return String(cString: number.objCType) == "c"
        #endif
    }

    /// A JSON type name for error messages: `a string`, `a number`, `a list`…
    static func typeName(_ value: Any) -> String {
        switch value {
        case is NSNull: "null"
        case let number as NSNumber: isBoolean(number) ? "a boolean (\(number.boolValue))" : "a number (\(number))"
        case let string as String: "a string (\"\(string.prefix(40))\")"
        case is [Any]: "a list"
        case is [String: Any]: "an object"
        default: "\(type(of: value))"
        }
    }

    /// Where and why JSON parsing failed, from Foundation's message ("… around character 49."),
    /// turned into a line and column a person can find.
    static func describe(_ error: any Error, data: Data) -> String {
        if data.isEmpty { return "the body is empty; send a JSON object with 'model' and 'messages'" }
        if let offset = firstInvalidUTF8(in: data) {
            let (line, column) = location(of: offset, in: data)
            return "byte \(offset) (line \(line), column \(column)) is not valid UTF-8; send the body as UTF-8"
        }
        let debug = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
        if debug.contains("end of file") || debug.contains("Unexpected end") {
            return "it ends early, at byte \(data.count) (line \(location(of: data.count, in: data).line)); is the body truncated or a bracket unclosed?"
        }
        // Foundation says where in one of two ways: "… around character 49." or "… at 49.".
        for marker in [" around character ", " at "] {
            if let range = debug.range(of: marker, options: .backwards), let offset = Int(debug[range.upperBound...].prefix { $0.isNumber }), offset <= data.count {
                let (line, column) = location(of: offset, in: data)
                return "\(debug[..<range.lowerBound]) at line \(line), column \(column) (byte \(offset))"
            }
        }
        // Some messages name no place; find it from what they name.
        if debug.contains("escape"), let offset = unpairedSurrogateEscape(in: data) {
            let (line, column) = location(of: offset, in: data)
            return "the escape at line \(line), column \(column) (byte \(offset)) is half of a UTF-16 surrogate pair, which is not a character; send the character itself or both halves"
        }
        if debug.hasPrefix("Number "), let number = debug.dropFirst(7).split(separator: " ").first, let range = data.range(of: Data(number.utf8)) {
            let offset = range.lowerBound - data.startIndex
            let (line, column) = location(of: offset, in: data)
            return "the number \(number) at line \(line), column \(column) (byte \(offset)) is too large to represent"
        }
        return debug
    }

    /// The offset of the first `\uD800`–`\uDFFF` escape that is not a high surrogate followed
    /// by a low one, if any.
    static func unpairedSurrogateEscape(in data: Data) -> Int? {
        let bytes = Array(data)
        func surrogate(at index: Int) -> UInt16? {
            guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                  let value = UInt16(String(decoding: bytes[(index + 2)..<(index + 6)], as: UTF8.self), radix: 16), (0xD800...0xDFFF).contains(value) else { return nil }
            return value
        }
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\\") {
                index += 2  // an escaped backslash, not the start of an escape
                continue
            }
            if let value = surrogate(at: index) {
                guard value < 0xDC00, let low = surrogate(at: index + 6), low >= 0xDC00 else { return index }
                index += 12
                continue
            }
            index += 1
        }
        return nil
    }

    /// The offset of the first byte that is not part of a valid UTF-8 sequence, if any.
    static func firstInvalidUTF8(in data: Data) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = data.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// The 1-based line and column of byte `offset`.
    static func location(of offset: Int, in data: Data) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
