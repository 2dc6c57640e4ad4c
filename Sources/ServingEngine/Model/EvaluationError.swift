/// Why an evaluation, a training run or a model file (a learned router, a cache verifier)
/// could not be read or used.
public struct EvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, where, and what to do.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
