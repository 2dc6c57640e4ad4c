/// Percentiles and a log-bucketed distribution of latencies: what panes and reports print.
public struct LatencySummary: Sendable, Hashable, Codable {
    /// How many latencies were recorded.
    public var count: UInt64
    /// Median.
    public var p50: Duration
    /// 95th percentile.
    public var p95: Duration
    /// 99th percentile.
    public var p99: Duration
    /// The largest recorded.
    public var max: Duration
    /// Counts per log-spaced bucket, smallest first (see ``LatencySummary/bucketBounds``).
    public var buckets: [UInt64]

    /// Upper bounds of the buckets: 1-2-5 steps from 1 ms to 20 s; the last bucket takes the rest.
    public static let bucketBounds: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20),
        .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(500), .seconds(1),
        .seconds(2), .seconds(5), .seconds(10), .seconds(20),
    ]

    /// An empty summary.
    public static let empty = LatencySummary(count: 0, p50: .zero, p95: .zero, p99: .zero, max: .zero, buckets: Array(repeating: 0, count: bucketBounds.count + 1))

    /// Creates a summary.
    public init(count: UInt64, p50: Duration, p95: Duration, p99: Duration, max: Duration, buckets: [UInt64]) {
        self.count = count
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
        self.max = max
        self.buckets = buckets
    }
}
