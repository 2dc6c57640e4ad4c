/// A tool call the model asked for: which function, with which arguments (JSON text, as the model
/// wrote it, possibly invalid: the client validates it).
public struct ToolCall: Sendable, Hashable, Codable {
    /// The call's id, which the client's `tool` message names in `tool_call_id`.
    public var id: String
    /// The tool type; `function` for every tool today.
    public var type: String
    /// The function's name.
    public var name: String
    /// The function's arguments, as JSON text.
    public var arguments: String

    /// Creates a tool call.
    public init(id: String, type: String = "function", name: String, arguments: String) {
        self.id = id
        self.type = type
        self.name = name
        self.arguments = arguments
    }

    /// The call in the wire form of an assistant message's `tool_calls` element.
    public var wireObject: JSONObject {
        ["id": .string(id), "type": .string(type), "function": ["name": .string(name), "arguments": .string(arguments)]]
    }
}
