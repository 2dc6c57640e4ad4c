import Foundation

/// L2-regularised logistic regression on standardised features, fitted by Newton's method:
/// no learning rate, no shuffling, no seed — the same rows always give the same model.
///
/// Used for the learned router and the cache's hit verifier, whose feature counts are small
/// (tens), so an exact Newton step per iteration is cheap and converges in a few iterations.
package struct LogisticRegression: Sendable, Hashable {
    package var means: [Double]
    package var deviations: [Double]
    package var weights: [Double]
    package var bias: Double

    /// The probability of the positive class for one feature row.
    package func probability(_ x: [Double]) -> Double {
        var z = bias
        for i in weights.indices { z += weights[i] * (x[i] - means[i]) / deviations[i] }
        return 1 / (1 + exp(-z))
    }

    /// Fits `rows` (each of the same width) to 0/1 `labels`; the intercept is not penalised.
    package static func fit(_ rows: [[Double]], _ labels: [Double], l2: Double, iterations: Int = 25) -> LogisticRegression {
        let d = rows.first?.count ?? 0
        let n = Double(max(rows.count, 1))
        var means = [Double](repeating: 0, count: d)
        var deviations = [Double](repeating: 0, count: d)
        for row in rows { for i in 0..<d { means[i] += row[i] / n } }
        for row in rows { for i in 0..<d { deviations[i] += (row[i] - means[i]) * (row[i] - means[i]) / n } }
        deviations = deviations.map { $0 > 1e-12 ? $0.squareRoot() : 1 }
        let x = rows.map { row in [1.0] + (0..<d).map { (row[$0] - means[$0]) / deviations[$0] } }
        var beta = [Double](repeating: 0, count: d + 1)
        for _ in 0..<iterations {
            var gradient = [Double](repeating: 0, count: d + 1)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: d + 1), count: d + 1)
            for (row, label) in zip(x, labels) {
                var z = 0.0
                for i in 0...d { z += beta[i] * row[i] }
                let p = 1 / (1 + exp(-z))
                let w = max(p * (1 - p), 1e-9)
                for i in 0...d {
                    gradient[i] += (p - label) * row[i]
                    for j in i...d { hessian[i][j] += w * row[i] * row[j] }
                }
            }
            for i in 0...d { for j in 0..<i { hessian[i][j] = hessian[j][i] } }
            for i in stride(from: 1, through: d, by: 1) {
                gradient[i] += l2 * beta[i]
                hessian[i][i] += l2
            }
            guard let step = solve(hessian, gradient) else { break }
            var largest = 0.0
            for i in 0...d {
                beta[i] -= step[i]
                largest = max(largest, abs(step[i]))
            }
            if largest < 1e-9 { break }
        }
        return LogisticRegression(means: means, deviations: deviations, weights: Array(beta.dropFirst()), bias: beta[0])
    }

    /// Solves `a · x = b` by Gaussian elimination with partial pivoting; nil when singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        let n = b.count
        var m = a
        var v = b
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(m[$0][column]) < abs(m[$1][column]) }), abs(m[pivot][column]) > 1e-12 else { return nil }
            m.swapAt(column, pivot)
            v.swapAt(column, pivot)
            for row in (column + 1)..<n {
                let factor = m[row][column] / m[column][column]
                guard factor != 0 else { continue }
                for k in column..<n { m[row][k] -= factor * m[column][k] }
                v[row] -= factor * v[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = v[row]
            for k in (row + 1)..<n { sum -= m[row][k] * x[k] }
            x[row] = sum / m[row][row]
        }
        return x
    }
}
