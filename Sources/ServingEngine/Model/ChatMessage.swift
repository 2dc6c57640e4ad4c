/// One message of an OpenAI-style chat conversation: its role and text as the engine reads them,
/// and the message as the client sent it, which is what providers receive.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// Who wrote the message.
    public var role: ChatRole
    /// The message's text: the string content, or its text parts joined by newlines (images and
    /// other parts have none). What the router scores and the cache compares.
    public var content: String {
        didSet { if wire != nil { wire?["content"] = .string(content) } }
    }
    /// The message as the client sent it (name, content parts, tool calls, tool call id…); nil
    /// for a message built in code, whose wire form is just its role and content.
    public var wire: JSONObject?

    /// Creates a text message.
    public init(role: ChatRole, content: String) {
        self.role = role
        self.content = content
        self.wire = nil
    }

    /// Creates a message read from the wire: `content` is its text as described above.
    public init(role: ChatRole, content: String, wire: JSONObject) {
        self.role = role
        self.content = content
        self.wire = wire
    }

    /// The message as it goes to an OpenAI-compatible provider.
    public var wireObject: JSONObject {
        wire ?? ["role": .string(role.rawValue), "content": .string(content)]
    }

    /// The author's name, when the client gave one.
    public var name: String? {
        wire?["name"]?.stringValue
    }

    /// The content parts, when the content is a list of parts rather than a string.
    public var contentParts: [JSONValue]? {
        wire?["content"]?.arrayValue
    }

    /// Whether the content has parts other than text (images, audio, files).
    public var hasNonTextContent: Bool {
        contentParts?.contains { $0["type"]?.stringValue != "text" } ?? false
    }

    /// The tools an assistant message called.
    public var toolCalls: [ToolCall] {
        guard let calls = wire?["tool_calls"]?.arrayValue else { return [] }
        return calls.compactMap { call in
            guard let id = call["id"]?.stringValue, let function = call["function"] else { return nil }
            return ToolCall(id: id, type: call["type"]?.stringValue ?? "function", name: function["name"]?.stringValue ?? "", arguments: function["arguments"]?.stringValue ?? "")
        }
    }

    /// The call a `tool` message answers.
    public var toolCallID: String? {
        wire?["tool_call_id"]?.stringValue
    }
}

/// The author of a chat message, as named by the OpenAI chat API.
public enum ChatRole: String, Sendable, Hashable, Codable, CaseIterable {
    case system
    case developer
    case user
    case assistant
    case tool
    /// The result of a legacy function call (the `functions` API).
    case function

    /// Whether the message instructs the model rather than converses with it.
    public var isInstruction: Bool {
        self == .system || self == .developer
    }
}
