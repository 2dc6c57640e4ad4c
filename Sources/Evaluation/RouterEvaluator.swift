package import ServingEngine
/// Sweeps a router's threshold over labelled prompts and measures quality against the share of
/// strong-model calls — RouteLLM's method, so figures compare with theirs.
///
/// The router gives each prompt a score (higher = needs the strong model more). Sending the
/// top-k prompts to the strong model for every k traces the quality curve. Prompts with equal
/// scores move together, and the curve is linear between such groups, which is what random
/// tie-breaking gives in expectation. APGR is the area under the gap-recovered curve; CPT(x) is
/// the least strong share whose gap recovered reaches x.
package enum RouterEvaluator {
    /// Evaluates `scores` (one per example, same order) on `examples`.
    package static func evaluate(_ examples: [RouterEvaluationData.Example], scores: [Double]) throws(EvaluationError) -> RouterEvaluation {
        guard !examples.isEmpty, examples.count == scores.count else {
            throw EvaluationError("need one score per example (\(examples.count) examples, \(scores.count) scores)")
        }
        let n = Double(examples.count)
        let weak = examples.reduce(0) { $0 + $1.weakQuality } / n
        let strong = examples.reduce(0) { $0 + $1.strongQuality } / n
        guard strong > weak else {
            throw EvaluationError("the strong model does not beat the weak one on this data (\(weak) vs \(strong)); there is no gap to recover")
        }
        let oracle = examples.reduce(0) { $0 + max($1.weakQuality, $1.strongQuality) } / n
        let oracleShare = Double(examples.filter(\.strongWins).count) / n

        // Breakpoints of the piecewise-linear curve: (strong share, quality).
        let order = examples.indices.sorted { scores[$0] > scores[$1] }
        var points: [(share: Double, quality: Double)] = [(0, weak)]
        var sum = weak * n
        var routed = 0
        var index = 0
        while index < order.count {
            let score = scores[order[index]]
            while index < order.count, scores[order[index]] == score {
                let example = examples[order[index]]
                sum += example.strongQuality - example.weakQuality
                routed += 1
                index += 1
            }
            points.append((Double(routed) / n, sum / n))
        }

        let gap = strong - weak
        var area = 0.0
        for (a, b) in zip(points, points.dropFirst()) {
            area += (b.share - a.share) * ((a.quality - weak) + (b.quality - weak)) / 2 / gap
        }
        func cpt(_ target: Double) -> Double {
            for (a, b) in zip(points, points.dropFirst()) {
                let ga = (a.quality - weak) / gap, gb = (b.quality - weak) / gap
                if gb >= target {
                    if ga >= target { return a.share }
                    return a.share + (b.share - a.share) * (target - ga) / (gb - ga)
                }
            }
            return 1
        }
        func quality(at share: Double) -> Double {
            for (a, b) in zip(points, points.dropFirst()) where share <= b.share {
                guard b.share > a.share else { return b.quality }
                return a.quality + (b.quality - a.quality) * (share - a.share) / (b.share - a.share)
            }
            return points[points.count - 1].quality
        }
        let curve = (0...100).map { step -> RouterEvaluation.CurvePoint in
            let share = Double(step) / 100
            return .init(strongShare: share, quality: quality(at: share))
        }
        return RouterEvaluation(
            prompts: examples.count, apgr: area, cpt50: cpt(0.5), cpt80: cpt(0.8),
            weakQuality: weak, strongQuality: strong, oracleQuality: oracle, oracleStrongShare: oracleShare, curve: curve
        )
    }
}
