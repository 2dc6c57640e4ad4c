/// A one-line message shown to the operator in the footer.
package struct StatusMessage: Sendable, Hashable {
    /// The text.
    package var text: String
    /// Whether it reports a failure (drawn in the error colour).
    package var isError: Bool

    /// Creates a message.
    package init(_ text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }
}
