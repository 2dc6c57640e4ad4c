/// One finished choice of an answer: what the assistant's `message` holds on the wire.
public struct AnswerChoice: Sendable, Hashable {
    /// The choice's position (0 unless the client asked for `n` > 1).
    public var index: Int
    /// The answer text; nil when the model only called tools or refused.
    public var content: String?
    /// The model's refusal, when it refused.
    public var refusal: String?
    /// The tools the model asked to call, in order.
    public var toolCalls: [ToolCall]
    /// The function the model asked to call (the legacy `functions` API).
    public var functionCall: FunctionCall?
    /// The token log probabilities, as the provider gave them (`{"content": [...], "refusal": [...]}`).
    public var logprobs: JSONValue?
    /// Why this choice ended.
    public var finishReason: FinishReason
    /// Fields of the message Switchboard does not interpret (`reasoning_content`, `annotations`,
    /// `audio`…), passed on as the provider sent them.
    public var extra: JSONObject

    /// Creates a choice.
    public init(
        index: Int = 0, content: String?, refusal: String? = nil, toolCalls: [ToolCall] = [], functionCall: FunctionCall? = nil,
        logprobs: JSONValue? = nil, finishReason: FinishReason = .stop, extra: JSONObject = JSONObject()
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

    /// Whether the choice is nothing but finished text: the shape the cache stores without detail.
    public var isPlainText: Bool {
        index == 0 && content != nil && refusal == nil && toolCalls.isEmpty && functionCall == nil && logprobs == nil && finishReason == .stop && extra.isEmpty
    }

    /// The `message` object of a `chat.completion` choice.
    public var messageObject: JSONObject {
        var message: JSONObject = ["role": "assistant", "content": content.map(JSONValue.string) ?? .null]
        message["refusal"] = refusal.map(JSONValue.string) ?? .null
        if !toolCalls.isEmpty { message["tool_calls"] = .array(toolCalls.map { .object($0.wireObject) }) }
        if let functionCall { message["function_call"] = .object(functionCall.wireObject) }
        for (key, value) in extra where message[key] == nil { message[key] = value }
        return message
    }
}

/// A function call of the legacy `functions` API: a name and JSON-text arguments.
public struct FunctionCall: Sendable, Hashable, Codable {
    /// The function's name.
    public var name: String
    /// Its arguments, as JSON text.
    public var arguments: String

    /// Creates a function call.
    public init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }

    /// The wire form: `{"name": …, "arguments": …}`.
    public var wireObject: JSONObject {
        ["name": .string(name), "arguments": .string(arguments)]
    }
}
