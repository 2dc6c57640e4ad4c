/// A one-line message shown to the operator in the footer.
public struct StatusMessage: Sendable, Hashable {
    /// The text.
    public var text: String
    /// Whether it reports a failure (drawn in the error colour).
    public var isError: Bool

    /// Creates a message.
    public init(_ text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }
}
