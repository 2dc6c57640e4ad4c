/// Percentiles of measured values, by one definition everywhere Switchboard prints them: the
/// nearest rank — the smallest value with at least `p` of the values at or below it (element
/// `⌈p·n⌉ − 1` of the sorted values), so p99 of 100 values is the 99th and p100 the largest.
package enum Percentile {
    /// The value at `p` (0...1) of `sorted`, which must be in ascending order; nil when empty.
    package static func of<Value: Comparable>(sorted: [Value], _ p: Double) -> Value? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((Double(sorted.count) * p).rounded(.up)) - 1
        return sorted[min(sorted.count - 1, max(0, rank))]
    }

    /// The value at `p` (0...1) of `values`, in any order; nil when empty.
    package static func of<Value: Comparable>(_ values: [Value], _ p: Double) -> Value? {
        of(sorted: values.sorted(), p)
    }
}
