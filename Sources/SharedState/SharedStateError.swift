/// Why shared state could not be set up or used: what was wrong, where, and what to do.
package struct SharedStateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of problem, so that callers can tell configuration mistakes from outages.
    package enum Kind: Sendable, Hashable {
        /// The `--state` URL is malformed.
        case badURL
        /// The server refused us: wrong user, password or database.
        case refused
        /// The database holds a schema newer than this binary understands.
        case schemaTooNew
        /// The server could not be reached (yet): the replica can run disconnected.
        case unreachable
        /// Any other database error.
        case database
    }

    /// What kind of problem it is.
    package var kind: Kind
    /// What was wrong and what to do about it.
    package var message: String

    /// Creates an error.
    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { message }
}
