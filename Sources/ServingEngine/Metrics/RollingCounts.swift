/// Per-second counts over a sliding span, in several channels: rates "now" and short histories
/// for sparklines, in constant memory.
struct RollingCounts: Sendable {
    let channels: Int
    let span: Int
    private var counts: [Int]
    private var stamps: [Int64]

    init(channels: Int, span: Int = 600) {
        self.channels = channels
        self.span = span
        counts = Array(repeating: 0, count: channels * span)
        stamps = Array(repeating: -1, count: span)
    }

    mutating func add(_ amount: Int = 1, channel: Int, second: Int64) {
        let slot = Int(second % Int64(span))
        if stamps[slot] != second {
            stamps[slot] = second
            for c in 0..<channels { counts[slot * channels + c] = 0 }
        }
        counts[slot * channels + channel] += amount
    }

    /// The sum over the `seconds` whole seconds before `second` (the current, partial second excluded).
    func sum(channel: Int, last seconds: Int, before second: Int64) -> Int {
        var total = 0
        let from = max(0, second - Int64(min(seconds, span - 1)))
        var s = from
        while s < second {
            let slot = Int(s % Int64(span))
            if stamps[slot] == s { total += counts[slot * channels + channel] }
            s += 1
        }
        return total
    }

    /// Sums per `bucket`-second interval for the last `buckets` intervals, oldest first.
    func series(channel: Int, bucket: Int, buckets: Int, before second: Int64) -> [Int] {
        (0..<buckets).map { index in
            let end = second - Int64((buckets - 1 - index) * bucket)
            return sum(channel: channel, last: bucket, before: end)
        }
    }
}
