/// A command that cannot go on: printed once as `Error: …`, without the usage text (which is for
/// arguments that do not parse, not for values that parse but cannot be used).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
