import Foundation

/// Compact, human-friendly renderings of durations (`850 µs`, `12 ms`, `1.4 s`).
package enum DurationFormat {
    /// A compact rendering for logs and panes.
    package static func short(_ duration: Duration) -> String {
        let seconds = duration.seconds
        if seconds < 0.001 { return "\(Int((seconds * 1e6).rounded())) µs" }
        if seconds < 1 { return "\(Int((seconds * 1e3).rounded())) ms" }
        if seconds < 100, seconds != seconds.rounded() { return String(format: "%.1f s", seconds) }
        return "\(Int(seconds.rounded())) s"
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    package var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration in milliseconds, as a floating-point number.
    package var milliseconds: Double { seconds * 1000 }
}
