import Foundation
package import ServingEngine

/// Fits a ``HitVerifier`` on labelled pairs with their embedding cosines: standardised
/// ``PairFeatures``, L2-regularised logistic regression by Newton's method (deterministic, no
/// seed), and a calibration table from cross-fitted scores, so that every calibration figure
/// comes from pairs the scoring model did not see.
package struct HitVerifierTrainer: Sendable {
    /// One labelled pair with its cosine.
    package struct Example: Sendable {
        /// The stored prompt.
        package var stored: String
        /// The query.
        package var query: String
        /// Their embedding cosine.
        package var similarity: Double
        /// Whether they are the same request.
        package var same: Bool

        /// Creates an example.
        package init(stored: String, query: String, similarity: Double, same: Bool) {
            self.stored = stored
            self.query = query
            self.similarity = similarity
            self.same = same
        }
    }

    /// The L2 penalty on the standardised weights.
    package var l2: Double = 1.0
    /// Folds for cross-fitted calibration scores.
    package var folds: Int = 5
    /// The confidence of the false-hit-rate upper bounds.
    package var confidence: Double = 0.95
    /// Pairs below this cosine are never hits (and are not fitted on).
    package var minimumSimilarity: Double = 0.5

    /// Creates a trainer.
    package init() {}

    /// Fits and calibrates a verifier.
    package func train(_ examples: [Example], embedder: String, source: String, heldOutShare: Double) -> HitVerifier {
        let candidates = examples.filter { $0.similarity >= minimumSimilarity }
        let features = candidates.map { PairFeatures.vector(similarity: $0.similarity, query: $0.query, candidate: $0.stored) }
        let labels = candidates.map { $0.same ? 1.0 : 0.0 }
        let final = fit(features, labels)

        // Cross-fitted scores: each candidate scored by a model fitted without its fold.
        var scores = [Double](repeating: 0, count: candidates.count)
        for fold in 0..<folds {
            let inFold = candidates.indices.filter { $0 % folds == fold }
            let outOfFold = candidates.indices.filter { $0 % folds != fold }
            let model = fit(outOfFold.map { features[$0] }, outOfFold.map { labels[$0] })
            for index in inFold {
                let candidate = candidates[index]
                scores[index] = PairFeatures.numbersDiffer(candidate.query, candidate.stored) ? 0 : model.probability(features[index])
            }
        }
        let positives = examples.filter(\.same).count
        let negatives = examples.count - positives
        let calibration = Self.calibrate(scores: scores, labels: candidates.map(\.same), positives: positives, negatives: negatives, confidence: confidence)

        return HitVerifier(
            version: HitVerifier.currentVersion, embedder: embedder, features: PairFeatures.names,
            means: final.means, deviations: final.deviations, weights: final.weights, bias: final.bias,
            minimumSimilarity: minimumSimilarity, confidence: confidence, calibration: calibration,
            training: .init(source: source, pairs: examples.count, folds: folds, l2: l2, heldOutShare: heldOutShare)
        )
    }

    func fit(_ rows: [[Double]], _ labels: [Double]) -> LogisticRegression {
        LogisticRegression.fit(rows, labels, l2: l2)
    }

    /// The calibration table: for each distinct score (from the highest down, so recall grows),
    /// the false-hit rate and its upper bound if that score were the threshold. Kept in
    /// increasing probability, thinned to at most 200 points.
    static func calibrate(scores: [Double], labels: [Bool], positives: Int, negatives: Int, confidence: Double) -> [HitVerifier.CalibrationPoint] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var points: [HitVerifier.CalibrationPoint] = []
        var truePositives = 0, falsePositives = 0
        var index = 0
        while index < order.count {
            let score = scores[order[index]]
            while index < order.count, scores[order[index]] == score {
                if labels[order[index]] { truePositives += 1 } else { falsePositives += 1 }
                index += 1
            }
            points.append(.init(
                probability: score,
                falseHitRate: Double(falsePositives) / Double(max(negatives, 1)),
                falseHitRateUpperBound: ClopperPearson.upperBound(successes: falsePositives, trials: max(negatives, 1), confidence: confidence),
                recall: Double(truePositives) / Double(max(positives, 1))
            ))
        }
        points.reverse()
        guard points.count > 200 else { return points }
        let stride = Double(points.count) / 200
        return (0..<200).map { points[Int(Double($0) * stride)] }
    }
}
