import Foundation
import Testing
@testable import Gateway

/// The decision headers' and request log's numbers: what `String(format: "%.Nf")` writes, from
/// plain integer arithmetic.
@Suite("Fixed decimals")
struct FixedDecimalTests {
    @Test func numbersAreWrittenWithTheirDecimalsAndNoStraySign() {
        #expect(FixedDecimal.text(0, digits: 3) == "0.000")
        #expect(FixedDecimal.text(0.25, digits: 3) == "0.250")
        #expect(FixedDecimal.text(0.0194, digits: 3) == "0.019")
        #expect(FixedDecimal.text(12.3456, digits: 4) == "12.3456")
        #expect(FixedDecimal.text(0.98766, digits: 4) == "0.9877")
        #expect(FixedDecimal.text(-0.5, digits: 4) == "-0.5000")
        #expect(FixedDecimal.text(-0.00001, digits: 3) == "0.000")
        #expect(FixedDecimal.text(1_234_567.891, digits: 1) == "1234567.9")
        #expect(FixedDecimal.text(7.6, digits: 0) == "8")
        #expect(FixedDecimal.text(.nan, digits: 3) == "nan")
        #expect(FixedDecimal.text(.infinity, digits: 3) == "inf")
        #expect(FixedDecimal.text(-.infinity, digits: 3) == "-inf")
    }

    /// Against Foundation on random values, away from the halfway points where rounding the
    /// scaled double and rounding the exact binary value may differ in the last digit.
    @Test(arguments: [1, 3, 4, 6])
    func randomValuesMatchStringFormat(digits: Int) {
        var generator = SystemRandomNumberGenerator()
        let scale = pow(10, Double(digits))
        var mismatches: [String] = []
        for _ in 0..<20_000 {
            let value = Double.random(in: -5_000...5_000, using: &generator) * (Bool.random(using: &generator) ? 1 : 0.0001)
            let fraction = (value.magnitude * scale).truncatingRemainder(dividingBy: 1)
            guard abs(fraction - 0.5) > 1e-6 else { continue }
            var expected = String(format: "%.\(digits)f", value)
            if expected.hasPrefix("-"), expected.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { expected.removeFirst() }
            let written = FixedDecimal.text(value, digits: digits)
            if written != expected { mismatches.append("\(value): \(written) against \(expected)") }
            if mismatches.count > 5 { break }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "; "))")
    }
}
