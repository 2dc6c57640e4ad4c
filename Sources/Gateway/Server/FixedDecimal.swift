/// A number written with a fixed count of decimals, as `String(format: "%.3f", value)` would write
/// it, without Foundation's formatter: the decision headers and the request log write three such
/// numbers a request, and `String(format:)` was among the gateway's costlier calls.
enum FixedDecimal {
    private static let scales = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]

    /// `value` rounded to `digits` decimals (0–6), e.g. `0.25` with 3 → `"0.250"`; no sign for a
    /// value that rounds to zero, and `nan`, `inf` or `-inf` for those. (A value of 2^53 units
    /// or more, which no header or log field here reaches, is written as Swift writes a Double.)
    static func text(_ value: Double, digits: Int) -> String {
        precondition((0..<scales.count).contains(digits), "FixedDecimal writes 0 to 6 decimals")
        guard value.isFinite else { return value.isNaN ? "nan" : value < 0 ? "-inf" : "inf" }
        let scale = scales[digits]
        let scaled = (value.magnitude * Double(scale)).rounded()
        // Past 2^53 the integer arithmetic below would no longer be exact.
        guard scaled < 9_007_199_254_740_992 else { return String(value.rounded()) }
        let units = Int(scaled)
        var text = value < 0 && units != 0 ? "-" : ""
        text += String(units / scale)
        guard digits > 0 else { return text }
        let fraction = String(units % scale)
        text += "."
        text += String(repeating: "0", count: digits - fraction.count)
        text += fraction
        return text
    }
}
