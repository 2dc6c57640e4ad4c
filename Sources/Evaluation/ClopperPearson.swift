import Foundation
import ServingEngine

/// Exact (Clopper-Pearson) one-sided confidence bounds for a binomial proportion.
enum ClopperPearson {
    /// The least rate `p` such that seeing at most `successes` in `trials` has probability at
    /// most `1 - confidence`: a rate that is, with that confidence, no lower than the true one.
    static func upperBound(successes: Int, trials: Int, confidence: Double) -> Double {
        guard successes < trials else { return 1 }
        let alpha = 1 - confidence
        var low = Double(successes) / Double(trials), high = 1.0
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if binomialCDF(successes, trials, middle) > alpha { low = middle } else { high = middle }
        }
        return high
    }

    /// P(X ≤ k) for X ~ Binomial(n, p), summed in log space.
    static func binomialCDF(_ k: Int, _ n: Int, _ p: Double) -> Double {
        guard p > 0 else { return 1 }
        guard p < 1 else { return k >= n ? 1 : 0 }
        let logP = log(p), logQ = log1p(-p)
        var total = 0.0
        var logChoose = 0.0
        for i in 0...k {
            if i > 0 { logChoose += log(Double(n - i + 1)) - log(Double(i)) }
            total += exp(logChoose + Double(i) * logP + Double(n - i) * logQ)
        }
        return min(total, 1)
    }
}
