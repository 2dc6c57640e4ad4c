/// What the header says when the console is attached to a running server instead of embedding
/// an engine: where, and how the link is.
package struct DashboardAttachment: Sendable, Hashable {
    /// How the link to the server is.
    package enum Health: Sendable, Hashable {
        /// Frames are arriving.
        case live
        /// Not yet, or no longer, receiving: connecting or reconnecting.
        case waiting
        /// The server refused the console.
        case refused
    }

    /// The server as the operator named it (its URL).
    package var target: String
    /// The link's state in a few words: `live`, `reconnecting (connection refused)`.
    package var state: String
    /// The link's health, for colour.
    package var health: Health
    /// The share of the server's decisions the feed carried, when it had to sample (nil: all of them).
    package var shownShare: Double?

    /// Creates an attachment.
    package init(target: String, state: String, health: Health, shownShare: Double? = nil) {
        self.target = target
        self.state = state
        self.health = health
        self.shownShare = shownShare
    }
}
