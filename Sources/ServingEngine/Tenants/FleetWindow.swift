/// This replica's part of one tenant's per-minute limit (requests or tokens) that a fleet
/// shares: what it leased from the shared row for the current UTC minute, and what it used.
///
/// Pure (no clock, no I/O): ``TenantLedger`` passes the time in, and the shared-state service
/// carries the ``LeaseExchange``s it asks for to PostgreSQL and back. The shared row of a minute
/// never grants more than the limit between all replicas; a replica may run up to one slice
/// ahead of what it was granted while its next lease is on its way (so no request waits for the
/// database), and not at all once the row said the minute is used up. So a fleet of `n`
/// replicas admits at most `limit + n × slice` in any UTC minute.
struct FleetWindow: Sendable, Hashable {
    /// The UTC minute (seconds since 1970 / 60, rounded down) the figures belong to.
    private(set) var minute: Int
    /// Granted to this replica by the shared row in `minute` (less what it gave back).
    private(set) var leased = 0.0
    /// Admitted here in `minute` (tokens: estimates, corrected when requests settle).
    private(set) var used = 0.0
    /// Whether an exchange with the shared row is under way (one at a time).
    private(set) var pending = false
    /// Whether the row granted less than asked: the fleet used the minute up, no running ahead.
    private(set) var exhausted = false
    /// The fleet's grants in `minute` as of the last exchange.
    private(set) var fleetGranted = 0.0
    /// When this replica last admitted something under it.
    private(set) var lastUsedAt: Double
    /// How much more than the lease (and its run-ahead) a refused request needed: the next ask covers it.
    private(set) var shortfall = 0.0

    /// Seconds a lease may sit unused before what is left of it is given back to the fleet.
    static let idleReturnSeconds = 2.0

    init(now: Double) {
        minute = Self.minute(of: now)
        lastUsedAt = -.infinity
    }

    /// The UTC minute of `time`.
    static func minute(of time: Double) -> Int { Int((time / 60).rounded(.down)) }

    /// Seconds from `time` to the start of the next UTC minute.
    static func secondsToNextMinute(from time: Double) -> Double {
        Double(minute(of: time) + 1) * 60 - time
    }

    /// Starts afresh when `now` is in a later minute than the figures.
    mutating func roll(now: Double) {
        let current = Self.minute(of: now)
        guard current != minute else { return }
        minute = current
        leased = 0
        used = 0
        exhausted = false
        fleetGranted = 0
        shortfall = 0
        // An exchange for the old minute may still be under way; its answer is dropped.
        pending = false
    }

    /// Whether `amount` more fits: within the lease, plus one `slice` ahead of it when the
    /// fleet may still have some (`runAhead`) and has not said the minute is used up.
    func fits(_ amount: Double, slice: Double, runAhead: Bool) -> Bool {
        let allowance = leased + (runAhead && !exhausted ? slice : 0)
        return used + amount <= allowance + 1e-9
    }

    /// Notes that `amount` did not fit at `now`, so that the next ask covers it.
    mutating func missed(_ amount: Double, now: Double) {
        shortfall = max(shortfall, used + amount - leased)
        lastUsedAt = now
    }

    /// Counts `amount` as used at `now` (negative gives back, never below zero).
    mutating func use(_ amount: Double, now: Double) {
        used = max(0, used + amount)
        if amount > 0 { lastUsedAt = now }
    }

    /// What is left of the lease (negative while running ahead of it).
    var left: Double { leased - used }

    /// What to ask the shared row for, or to give back, at `now`; nil when nothing is needed.
    /// Asks for a slice (plus what it ran ahead) once less than a slice is left, while the
    /// tenant was active in the last ``idleReturnSeconds``; after that long without use, gives
    /// back what is left.
    mutating func exchange(slice: Double, now: Double) -> Double? {
        roll(now: now)
        guard !pending else { return nil }
        let active = now - lastUsedAt < Self.idleReturnSeconds
        if !exhausted, active, left < slice || shortfall > 0 {
            pending = true
            defer { shortfall = 0 }
            return max(slice + max(0, -left), shortfall).rounded(.up)
        }
        if left >= 1, now - lastUsedAt >= Self.idleReturnSeconds {
            pending = true
            let amount = left.rounded(.down)
            leased -= amount  // not usable while it travels back
            return -amount
        }
        return nil
    }

    /// Gives back whatever is left of the lease (the replica is stopping); nil when nothing is.
    mutating func release(now: Double) -> Double? {
        roll(now: now)
        guard !pending, left >= 1 else { return nil }
        pending = true
        let amount = left.rounded(.down)
        leased -= amount
        return -amount
    }

    /// The shared row's answer to ``exchange(slice:now:)``: `asked` (negative: given back),
    /// `granted` of it, and the fleet's grants in the minute now.
    mutating func settled(minute: Int, asked: Double, granted: Double, fleetGranted: Double) {
        guard minute == self.minute else { return }
        pending = false
        self.fleetGranted = fleetGranted
        guard asked > 0 else { return }
        leased += granted
        if granted < asked { exhausted = true }
    }

    /// The exchange failed (the database is away): nothing granted; a return is kept.
    mutating func failed(minute: Int, asked: Double) {
        guard minute == self.minute else { return }
        pending = false
        if asked < 0 { leased -= asked }
    }

    /// Roughly what the fleet has left this minute: the row's ungranted part plus this lease's rest.
    func fleetRemaining(limit: Double) -> Double {
        max(0, limit - fleetGranted) + max(0, left)
    }
}

/// One exchange of a replica with the fleet's shared per-minute row: ask for `amount` (or give
/// back `-amount`) of `tenant`'s `kind` window in `minute`, never granting past `limit`.
package struct LeaseExchange: Sendable, Hashable {
    /// Which per-minute limit.
    package enum Kind: String, Sendable, Hashable {
        case requests = "r"
        case tokens = "t"
    }

    /// The tenant whose limit it is.
    package var tenant: String
    /// Requests or tokens.
    package var kind: Kind
    /// The UTC minute (seconds since 1970 / 60).
    package var minute: Int
    /// Positive: asked for; negative: given back.
    package var amount: Double
    /// The per-minute limit the row may not grant past.
    package var limit: Double
}
