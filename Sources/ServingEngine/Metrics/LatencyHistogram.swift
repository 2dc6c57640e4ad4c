import Histogram

/// An HDR histogram of latencies in microseconds, from 1 µs to 10 minutes at 1 % precision.
package struct LatencyHistogram: Sendable {
    package init() {}

    private(set) var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .two)

    package mutating func record(_ duration: Duration) {
        let micros = UInt64(Swift.max(1, Swift.min(duration.seconds * 1e6, 600_000_000)))
        _ = histogram.record(micros)
    }

    package mutating func add(_ other: LatencyHistogram) {
        histogram.add(other.histogram)
    }

    package mutating func reset() {
        histogram.reset()
    }

    package var count: UInt64 { histogram.totalCount }

    package func summary() -> LatencySummary {
        guard histogram.totalCount > 0 else { return .empty }
        var buckets: [UInt64] = []
        var lower: UInt64 = 0
        for bound in LatencySummary.bucketBounds {
            let upper = UInt64(bound.seconds * 1e6)
            buckets.append(histogram.count(within: lower...(upper - 1)))
            lower = upper
        }
        buckets.append(histogram.count(within: lower...UInt64.max / 2))
        return LatencySummary(
            count: histogram.totalCount,
            p50: Self.duration(histogram.valueAtPercentile(50)),
            p95: Self.duration(histogram.valueAtPercentile(95)),
            p99: Self.duration(histogram.valueAtPercentile(99)),
            max: Self.duration(histogram.max),
            buckets: buckets
        )
    }

    private static func duration(_ micros: UInt64) -> Duration {
        .microseconds(Int64(micros))
    }
}

/// Latencies over the whole run and over a recent window (the last one to two `period`s), so
/// that panes show how things are now while reports can still cover the whole run.
///
/// The window is kept merged as values arrive (`recent` = previous period + current period), so
/// reading it costs nothing beyond a copy-on-write reference.
struct WindowedLatency: Sendable {
    package var total = LatencyHistogram()
    private var current = LatencyHistogram()
    private(set) var recent = LatencyHistogram()
    private var currentStarted: ContinuousClock.Instant
    package let period: Duration

    package init(now: ContinuousClock.Instant, period: Duration = .seconds(30)) {
        currentStarted = now
        self.period = period
    }

    package mutating func record(_ duration: Duration, now: ContinuousClock.Instant) {
        rotate(now: now)
        total.record(duration)
        current.record(duration)
        recent.record(duration)
    }

    package mutating func rotate(now: ContinuousClock.Instant) {
        guard now - currentStarted >= period else { return }
        if now - currentStarted >= period * 2 {
            // Idle for a whole period: nothing recent is left.
            recent.reset()
        } else {
            // The period that just ended becomes "previous"; the new one starts empty.
            recent = current
        }
        current.reset()
        currentStarted = now
    }
}
