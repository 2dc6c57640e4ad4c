import Foundation
import Testing
import TestSupport
@testable import ServingEngine

/// The spend counter's UTC calendar: its own arithmetic agrees with Foundation's Gregorian
/// calendar on every day it is asked about, month ends, leap days and centuries included.
@Suite("Spend counter calendar")
struct SpendCounterTests {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// What Foundation says: `year × 12 + month − 1`, and the seconds to next month's first.
    static func expected(_ time: Double) -> (month: Int, toNextMonth: Double) {
        let date = Date(timeIntervalSince1970: time)
        let parts = calendar.dateComponents([.year, .month], from: date)
        let end = calendar.dateInterval(of: .month, for: date)!.end
        return (parts.year! * 12 + parts.month! - 1, end.timeIntervalSince1970 - time)
    }

    /// (On a thread of its own: 220,000 Foundation calls take a second in debug builds, which
    /// the cooperative pool that suites with timeouts share should not give.)
    @Test func everyDayFrom1900To2200HasFoundationsMonthAndNextMonth() async {
        let mismatches = await onBackgroundThread { Self.mismatchesWithFoundation() }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "; "))")
    }

    static func mismatchesWithFoundation() -> [String] {
        var mismatches: [String] = []
        // The first and the last second of every day: 1900 and 2100 are not leap years, 2000 is.
        for day in SpendCounter.dayNumber(year: 1900, month: 1, day: 1)..<SpendCounter.dayNumber(year: 2200, month: 1, day: 1) {
            for offset in [0.0, 86_399] {
                let time = Double(day) * 86_400 + offset
                let want = expected(time)
                let month = SpendCounter.month(of: time), toNext = SpendCounter.secondsToNextMonth(from: time)
                if month != want.month || toNext != want.toNextMonth {
                    mismatches.append("\(time): month \(month) against \(want.month), next month in \(toNext) s against \(want.toNextMonth) s")
                }
            }
            if mismatches.count > 5 { break }
        }
        return mismatches
    }

    @Test func aLeapDayAndAYearsEndFallInTheirMonths() {
        let leapDay = Double(SpendCounter.dayNumber(year: 2028, month: 2, day: 29)) * 86_400 + 3_600
        #expect(SpendCounter.month(of: leapDay) == 2028 * 12 + 1)
        #expect(SpendCounter.secondsToNextMonth(from: leapDay) == 86_400 - 3_600)
        let newYearsEve = Double(SpendCounter.dayNumber(year: 2026, month: 12, day: 31)) * 86_400 + 86_399.5
        #expect(SpendCounter.month(of: newYearsEve) == 2026 * 12 + 11)
        #expect(SpendCounter.month(of: newYearsEve + 0.5) == 2027 * 12)
        #expect(SpendCounter.secondsToNextMonth(from: newYearsEve) == 0.5)
    }

    @Test func dayNumbersAndCivilDatesAreInverses() {
        #expect(SpendCounter.dayNumber(year: 1970, month: 1, day: 1) == 0)
        #expect(SpendCounter.dayNumber(year: 1969, month: 12, day: 31) == -1)
        for day in stride(from: -800_000, through: 800_000, by: 997) {
            let date = SpendCounter.civilDate(day: day)
            let first = SpendCounter.dayNumber(year: date.year, month: date.month, day: 1)
            #expect(first <= day && day - first < 31, "day \(day) → \(date)")
        }
    }
}
