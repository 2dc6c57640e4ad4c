/// Dollars a replica spent for one tenant in one period that the fleet's shared ledger has not
/// seen yet.
package struct SpendDelta: Sendable, Hashable {
    /// A tenant and a period.
    package struct Key: Sendable, Hashable {
        package var tenant: String
        package var period: Period
    }

    /// A UTC day or calendar month.
    package enum Period: Sendable, Hashable {
        /// Days since 1970-01-01 (UTC).
        case day(Int)
        /// `year × 12 + month − 1` (UTC).
        case month(Int)

        /// `d:20423` or `m:24311`, the shared table's key.
        package var name: String {
            switch self {
            case .day(let day): "d:\(day)"
            case .month(let month): "m:\(month)"
            }
        }
    }

    package var key: Key
    package var dollars: Double
}
