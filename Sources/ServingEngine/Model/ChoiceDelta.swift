/// One piece of a streamed choice, in the shape of a `chat.completion.chunk`'s `choices[i]`: text,
/// refusal text, tool-call fragments, log probabilities and, at its end, the finish reason.
///
/// Tool calls stream as fragments keyed by ``ToolCallDelta/index``: the first carries the call's
/// id, type and function name, later ones only pieces of the arguments, which clients concatenate.
public struct ChoiceDelta: Sendable, Hashable {
    /// The choice this piece belongs to.
    public var index: Int
    /// More answer text.
    public var content: String?
    /// More refusal text.
    public var refusal: String?
    /// Tool-call fragments.
    public var toolCalls: [ToolCallDelta]
    /// A fragment of a legacy function call (name first, then argument pieces).
    public var functionCall: FunctionCallDelta?
    /// The log probabilities of this piece's tokens, as the provider sent them.
    public var logprobs: JSONValue?
    /// Set on the choice's last piece.
    public var finishReason: FinishReason?
    /// Fields of the delta Switchboard does not interpret (`reasoning_content`…), passed on as sent.
    public var extra: JSONObject

    /// Creates a piece.
    public init(
        index: Int = 0, content: String? = nil, refusal: String? = nil, toolCalls: [ToolCallDelta] = [], functionCall: FunctionCallDelta? = nil,
        logprobs: JSONValue? = nil, finishReason: FinishReason? = nil, extra: JSONObject = JSONObject()
    ) {
        self.index = index
        self.content = content
        self.refusal = refusal
        self.toolCalls = toolCalls
        self.functionCall = functionCall
        self.logprobs = logprobs
        self.finishReason = finishReason
        self.extra = extra
    }

    /// The chunk's `delta` object.
    public var deltaObject: JSONObject {
        var delta = JSONObject()
        if let content { delta["content"] = .string(content) }
        if let refusal { delta["refusal"] = .string(refusal) }
        if !toolCalls.isEmpty { delta["tool_calls"] = .array(toolCalls.map { .object($0.wireObject) }) }
        if let functionCall { delta["function_call"] = .object(functionCall.wireObject) }
        for (key, value) in extra where delta[key] == nil { delta[key] = value }
        return delta
    }
}

/// A fragment of one streamed tool call.
public struct ToolCallDelta: Sendable, Hashable {
    /// Which call of the choice this fragment belongs to.
    public var index: Int
    /// The call's id (first fragment).
    public var id: String?
    /// The tool type (first fragment).
    public var type: String?
    /// The function's name (first fragment).
    public var name: String?
    /// A piece of the arguments' JSON text.
    public var arguments: String?

    /// Creates a fragment.
    public init(index: Int, id: String? = nil, type: String? = nil, name: String? = nil, arguments: String? = nil) {
        self.index = index
        self.id = id
        self.type = type
        self.name = name
        self.arguments = arguments
    }

    /// The wire form of a `delta.tool_calls` element.
    public var wireObject: JSONObject {
        var object: JSONObject = ["index": .integer(Int64(index))]
        if let id { object["id"] = .string(id) }
        if let type { object["type"] = .string(type) }
        var function = JSONObject()
        if let name { function["name"] = .string(name) }
        if let arguments { function["arguments"] = .string(arguments) }
        if !function.isEmpty || id != nil { object["function"] = .object(function) }
        return object
    }
}

/// A fragment of a streamed legacy function call.
public struct FunctionCallDelta: Sendable, Hashable {
    /// The function's name (first fragment).
    public var name: String?
    /// A piece of the arguments' JSON text.
    public var arguments: String?

    /// Creates a fragment.
    public init(name: String? = nil, arguments: String? = nil) {
        self.name = name
        self.arguments = arguments
    }

    /// The wire form of `delta.function_call`.
    public var wireObject: JSONObject {
        var object = JSONObject()
        if let name { object["name"] = .string(name) }
        if let arguments { object["arguments"] = .string(arguments) }
        return object
    }
}
