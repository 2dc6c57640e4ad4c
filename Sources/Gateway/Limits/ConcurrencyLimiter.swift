/// Counts the requests each API key has in flight and refuses one beyond the limit.
///
/// A pure state machine: no clock, no I/O, no locking (``RequestSlots`` wraps it in a `Mutex`).
/// A key whose count drops to zero is forgotten, so the table only holds keys with work in flight.
struct ConcurrencyLimiter: Sendable {
    /// The most requests one key may have in flight.
    let limit: Int
    private var inFlight: [String: Int] = [:]

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// What ``acquire(_:)`` decided.
    enum Admission: Sendable, Hashable {
        /// The request may run; `inFlight` counts it.
        case admitted(inFlight: Int)
        /// The key already has `inFlight` requests running, the limit.
        case refused(inFlight: Int)
    }

    /// Takes a slot for `key` if it has fewer than `limit` requests in flight.
    mutating func acquire(_ key: String) -> Admission {
        let current = inFlight[key, default: 0]
        guard current < limit else { return .refused(inFlight: current) }
        inFlight[key] = current + 1
        return .admitted(inFlight: current + 1)
    }

    /// Gives back a slot of `key`; a key without slots is left alone (never negative).
    mutating func release(_ key: String) {
        guard let current = inFlight[key] else { return }
        inFlight[key] = current > 1 ? current - 1 : nil
    }

    /// How many requests `key` has in flight.
    func count(_ key: String) -> Int {
        inFlight[key, default: 0]
    }

    /// How many keys have requests in flight.
    var activeKeys: Int { inFlight.count }
}
