/// One message of an OpenAI-style chat conversation.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// Who wrote the message.
    public var role: ChatRole
    /// The message text.
    public var content: String

    /// Creates a message.
    public init(role: ChatRole, content: String) {
        self.role = role
        self.content = content
    }
}

/// The author of a chat message, as named by the OpenAI chat API.
public enum ChatRole: String, Sendable, Hashable, Codable, CaseIterable {
    case system
    case developer
    case user
    case assistant
    case tool
}
