/// The full form of a cached answer that is more than one finished text, shared by reference so
/// that the plain answers most entries hold pay one pointer for it.
public final class AnswerDetail: Sendable, Hashable {
    /// The answer's choices, as the provider gave them.
    public let choices: [AnswerChoice]
    /// The response's top-level fields passed on (`system_fingerprint`…).
    public let responseFields: JSONObject

    /// Creates a detail.
    public init(choices: [AnswerChoice], responseFields: JSONObject) {
        self.choices = choices
        self.responseFields = responseFields
    }

    public static func == (lhs: AnswerDetail, rhs: AnswerDetail) -> Bool {
        lhs === rhs || (lhs.choices == rhs.choices && lhs.responseFields == rhs.responseFields)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(choices)
        hasher.combine(responseFields)
    }
}
