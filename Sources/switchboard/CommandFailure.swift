/// A command that cannot go on: printed once as `error: …` (see ``Switchboard/main()``, which
/// prints every failure that way, without the usage text).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
