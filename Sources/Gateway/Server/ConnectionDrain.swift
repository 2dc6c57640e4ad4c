/// What one HTTP/1.1 connection does while the server drains: the state machine behind
/// ``ConnectionDrainHandler``, with no I/O and no clock.
///
/// Closing a kept-alive connection the moment a drain starts loses the request its client may
/// already have sent on it: the bytes reach a closed socket and the client sees a reset, with
/// nothing to say whether the request ran. So a connection with nothing in flight lingers first:
/// a request that arrives in the linger is served, with `Connection: close`, and the connection
/// closes after its response; one that stays quiet is closed when the linger ends. A connection
/// with a request in flight closes after that response, as before.
struct ConnectionDrain: Sendable, Equatable {
    /// Where the connection is in the drain.
    enum Phase: Sendable, Equatable {
        /// No drain yet: keep-alive as usual.
        case serving
        /// Draining with nothing in flight: waiting out the linger for a request already sent.
        case lingering
        /// The drain has been passed on: the connection closes after its last response.
        case quiesced
    }

    /// The linger for a connection with nothing in flight; zero closes it at once.
    let linger: Duration
    private(set) var phase = Phase.serving
    private(set) var requestsInProgress = 0

    /// Creates the state of a new connection.
    init(linger: Duration) {
        self.linger = linger
    }

    /// What to do with the server's quiesce event.
    enum QuiesceAction: Sendable, Equatable {
        /// Pass it on now: the next handler closes the connection, at once or after the response.
        case passOn
        /// Hold it and call ``lingerEnded()`` after this long.
        case linger(Duration)
    }

    /// The server started draining.
    mutating func quiesce() -> QuiesceAction {
        guard phase == .serving else { return .passOn }
        if requestsInProgress > 0 || linger <= .zero {
            phase = .quiesced
            return .passOn
        }
        phase = .lingering
        return .linger(linger)
    }

    /// A request head arrived; true when the held quiesce event must now be passed on, after the
    /// head, so that the connection closes once this request is answered.
    mutating func requestStarted() -> Bool {
        requestsInProgress += 1
        guard phase == .lingering else { return false }
        phase = .quiesced
        return true
    }

    /// A response ended.
    mutating func responseEnded() {
        requestsInProgress = max(0, requestsInProgress - 1)
    }

    /// The linger is over; true when the held quiesce event must now be passed on (no request
    /// came, so the connection closes).
    mutating func lingerEnded() -> Bool {
        guard phase == .lingering else { return false }
        phase = .quiesced
        return true
    }

    /// Whether a response head written now must say `Connection: close`: once draining, no
    /// client should send another request on this connection.
    var closesAfterResponse: Bool { phase != .serving }
}
