import Foundation
import ServingEngine

/// Compact number renderings shared by the panes. Pure functions of their inputs, so snapshot
/// tests are stable.
enum DisplayFormat {
    /// `12.3/s`, `1.2k/s`.
    static func rate(_ value: Double) -> String {
        if value >= 10_000 { return "\(Int((value / 1000).rounded()))k/s" }
        if value >= 1000 { return String(format: "%.1fk/s", value / 1000) }
        if value >= 100 { return "\(Int(value.rounded()))/s" }
        return String(format: "%.1f/s", value)
    }

    /// `42%`, `4.2%`, `0%`.
    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        if value == 0 { return "0%" }
        if value < 10 { return String(format: "%.1f%%", value) }
        return "\(Int(value.rounded()))%"
    }

    /// `$12.34`, `$0.0123`.
    static func usd(_ value: Double) -> String {
        if value == 0 { return "$0" }
        if value < 0.01 { return String(format: "$%.4f", value) }
        if value < 1000 { return String(format: "$%.2f", value) }
        return String(format: "$%.0f", value)
    }

    /// `850µs`, `12ms`, `1.4s`.
    static func latency(_ duration: Duration) -> String {
        let seconds = duration.seconds
        if seconds <= 0 { return "-" }
        if seconds < 0.001 { return "\(Int((seconds * 1e6).rounded()))µs" }
        if seconds < 1 { return "\(Int((seconds * 1e3).rounded()))ms" }
        if seconds < 100 { return String(format: "%.1fs", seconds) }
        return "\(Int(seconds.rounded()))s"
    }

    /// `45s`, `12m30s`, `3h02m`, `2d04h`.
    static func uptime(_ duration: Duration) -> String {
        let total = Int(duration.seconds)
        let days = total / 86_400, hours = total / 3600 % 24, minutes = total / 60 % 60, seconds = total % 60
        if days > 0 { return "\(days)d\(twoDigits(hours))h" }
        if hours > 0 { return "\(hours)h\(twoDigits(minutes))m" }
        if minutes > 0 { return "\(minutes)m\(twoDigits(seconds))s" }
        return "\(seconds)s"
    }

    /// `2.1 MB`.
    static func bytes(_ value: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: amount < 10 ? "%.1f %@" : "%.0f %@", amount, units[unit])
    }

    /// `1,234,567`.
    static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return value < 0 ? "-" + result : result
    }

    /// `14:03:27` for `date` shifted by `offset` seconds from UTC.
    static func clock(_ date: Date, offset: Int) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let day = ((seconds % 86_400) + 86_400) % 86_400
        return "\(twoDigits(day / 3600)):\(twoDigits(day / 60 % 60)):\(twoDigits(day % 60))"
    }

    /// `0.42`.
    static func score(_ value: Double) -> String {
        String(format: "%.2f", value)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
