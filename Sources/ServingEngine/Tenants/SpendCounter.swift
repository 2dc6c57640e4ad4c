import Foundation

/// Dollars spent in the current UTC day and calendar month. Pure: the time is passed in.
///
/// A new day (or month) starts from zero the first time the counter is touched in it.
struct SpendCounter: Sendable, Hashable {
    private(set) var day: Int = .min
    private(set) var month: Int = .min
    private(set) var daySpent: Double = 0
    private(set) var monthSpent: Double = 0

    init() {}

    /// A counter already holding `daySpent` and `monthSpent` for the day and month of `now`
    /// (restored from shared state after a restart).
    init(daySpent: Double, monthSpent: Double, now: Double) {
        day = Self.day(of: now)
        month = Self.month(of: now)
        self.daySpent = daySpent
        self.monthSpent = monthSpent
    }

    /// Moves to the day and month of `now`, dropping what belonged to earlier ones.
    mutating func roll(now: Double) {
        let today = Self.day(of: now), thisMonth = Self.month(of: now)
        if today != day { day = today; daySpent = 0 }
        if thisMonth != month { month = thisMonth; monthSpent = 0 }
    }

    /// Adds `dollars` spent at `now`.
    mutating func add(_ dollars: Double, now: Double) {
        roll(now: now)
        guard dollars > 0, dollars.isFinite else { return }
        daySpent += dollars
        monthSpent += dollars
    }

    /// The UTC day number of `time` (seconds since 1970).
    static func day(of time: Double) -> Int { Int((time / 86_400).rounded(.down)) }

    /// `year × 12 + month − 1` of `time` in UTC.
    static func month(of time: Double) -> Int {
        let parts = calendar.dateComponents([.year, .month], from: Date(timeIntervalSince1970: time))
        return (parts.year ?? 1970) * 12 + (parts.month ?? 1) - 1
    }

    /// Seconds from `time` to the next UTC midnight.
    static func secondsToNextDay(from time: Double) -> Double {
        Double(day(of: time) + 1) * 86_400 - time
    }

    /// Seconds from `time` to the first of next month, 00:00 UTC.
    static func secondsToNextMonth(from time: Double) -> Double {
        let date = Date(timeIntervalSince1970: time)
        let start = calendar.dateInterval(of: .month, for: date)?.end ?? date.addingTimeInterval(86_400 * 31)
        return start.timeIntervalSince1970 - time
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar
    }()
}
