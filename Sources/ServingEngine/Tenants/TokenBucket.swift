/// A bucket of `capacity` units that refills at `capacity` per minute: the shape of a
/// "per minute" limit that OpenAI's own `x-ratelimit-*` headers describe.
///
/// Pure: time is passed in as seconds on any monotonic scale. Taking more than is there is
/// refused; ``charge(_:)`` (reconciling an estimate with the real count) may leave it negative,
/// which is debt that the refill pays back before anything more is admitted.
///
/// Bound: over any interval of `t` seconds the bucket admits at most `capacity × (1 + t / 60)`
/// units, plus whatever later charges add beyond the admitted estimates.
struct TokenBucket: Sendable, Hashable {
    private(set) var capacity: Double
    private(set) var level: Double
    private var updatedAt: Double

    init(capacity: Int, now: Double) {
        self.capacity = Double(capacity)
        level = Double(capacity)
        updatedAt = now
    }

    /// Units per second.
    private var rate: Double { capacity / 60 }

    /// Brings the level up to `now`.
    mutating func refill(now: Double) {
        guard now > updatedAt else { return }
        level = min(capacity, level + (now - updatedAt) * rate)
        updatedAt = now
    }

    /// Takes `amount` if the bucket holds it (after refilling to `now`).
    mutating func take(_ amount: Double, now: Double) -> Bool {
        refill(now: now)
        guard level >= amount else { return false }
        level -= amount
        return true
    }

    /// Adds `amount` (negative to give back) without a check: an estimate corrected.
    mutating func charge(_ amount: Double, now: Double) {
        refill(now: now)
        level = min(capacity, level - amount)
    }

    /// Seconds from `now` until `amount` could be taken (0 if it can now).
    func wait(for amount: Double, now: Double) -> Double {
        var copy = self
        copy.refill(now: now)
        return copy.level >= amount ? 0 : (amount - copy.level) / rate
    }

    /// Whole units left at `now` (never negative).
    func remaining(now: Double) -> Int {
        var copy = self
        copy.refill(now: now)
        return max(0, Int(copy.level.rounded(.down)))
    }

    /// Seconds from `now` until the bucket is full again.
    func resetIn(now: Double) -> Double {
        var copy = self
        copy.refill(now: now)
        return max(0, (copy.capacity - copy.level) / rate)
    }

    /// Changes the size, keeping what has been used: lowering a limit below the use leaves debt.
    mutating func resize(to capacity: Int, now: Double) {
        refill(now: now)
        let used = self.capacity - level
        self.capacity = Double(capacity)
        level = self.capacity - used
    }
}
