import Foundation

/// A verified hit rule: the probability that a cached prompt asks the same thing as the query,
/// from their cosine and ``PairFeatures``, with a calibration table that maps a false-hit-rate
/// target to the least probability that keeps under it.
///
/// Trained by ``HitVerifierTrainer`` (logistic regression, deterministic) for one embedder, and
/// saved as versioned JSON. Each calibration point carries the false-hit rate measured on data
/// the model was not fitted on and a one-sided upper confidence bound of it; ``threshold(forFalseHitRate:)``
/// keeps the *bound*, not the point estimate, under the target.
public struct HitVerifier: Sendable, Codable, Hashable {
    /// The file format version this build reads and writes.
    public static let currentVersion = 1

    /// A probability threshold and what it did on calibration data.
    public struct CalibrationPoint: Sendable, Codable, Hashable {
        /// Candidates at or above this probability are hits.
        public var probability: Double
        /// False hits ÷ different-request pairs.
        public var falseHitRate: Double
        /// The one-sided Clopper-Pearson upper bound of ``falseHitRate``.
        public var falseHitRateUpperBound: Double
        /// Correct hits ÷ same-request pairs.
        public var recall: Double

        /// Creates a point (the trainer's).
        package init(probability: Double, falseHitRate: Double, falseHitRateUpperBound: Double, recall: Double) {
            self.probability = probability
            self.falseHitRate = falseHitRate
            self.falseHitRateUpperBound = falseHitRateUpperBound
            self.recall = recall
        }

        enum CodingKeys: String, CodingKey {
            case probability, recall
            case falseHitRate = "false_hit_rate"
            case falseHitRateUpperBound = "false_hit_rate_upper_bound"
        }
    }

    /// The file format version.
    public var version: Int
    /// The embedder whose cosines the model was fitted on.
    public var embedder: String
    /// Feature names, in order.
    public var features: [String]
    /// Feature means and standard deviations used to standardise inputs.
    public var means: [Double]
    /// See ``means``.
    public var deviations: [Double]
    /// Logistic weights on the standardised features.
    public var weights: [Double]
    /// The intercept.
    public var bias: Double
    /// Candidates below this cosine are never hits, whatever the other features say.
    public var minimumSimilarity: Double
    /// The confidence of the upper bounds in ``calibration``.
    public var confidence: Double
    /// Calibration points, by increasing probability.
    public var calibration: [CalibrationPoint]
    /// Where the model came from.
    public var training: Training

    /// Provenance of a trained verifier.
    public struct Training: Sendable, Codable, Hashable {
        /// The pairs file.
        public var source: String
        /// Pairs fitted on.
        public var pairs: Int
        /// How the calibration scores were produced (cross-fitted folds).
        public var folds: Int
        /// The L2 penalty.
        public var l2: Double
        /// The share of the file kept aside, untouched, for the held-out figures.
        public var heldOutShare: Double

        /// Creates the record (the trainer's).
        package init(source: String, pairs: Int, folds: Int, l2: Double, heldOutShare: Double) {
            self.source = source
            self.pairs = pairs
            self.folds = folds
            self.l2 = l2
            self.heldOutShare = heldOutShare
        }
    }

    /// Creates a verifier (what `switchboard train cache` fits).
    package init(version: Int, embedder: String, features: [String], means: [Double], deviations: [Double], weights: [Double], bias: Double, minimumSimilarity: Double, confidence: Double, calibration: [CalibrationPoint], training: Training) {
        self.version = version
        self.embedder = embedder
        self.features = features
        self.means = means
        self.deviations = deviations
        self.weights = weights
        self.bias = bias
        self.minimumSimilarity = minimumSimilarity
        self.confidence = confidence
        self.calibration = calibration
        self.training = training
    }

    enum CodingKeys: String, CodingKey {
        case version, embedder, features, means, deviations, weights, bias, confidence, calibration, training
        case minimumSimilarity = "minimum_similarity"
    }

    /// The probability that `candidate` asks what `query` asks, given their embedding cosine.
    /// Prompts that name different numbers are never the same request (probability 0).
    public func probability(similarity: Double, query: String, candidate: String) -> Double {
        guard similarity >= minimumSimilarity, !PairFeatures.numbersDiffer(query, candidate) else { return 0 }
        if similarity >= 0.99999 { return 1 }
        return probability(features: PairFeatures.vector(similarity: similarity, query: query, candidate: candidate))
    }

    func probability(features: [Double]) -> Double {
        LogisticRegression(means: means, deviations: deviations, weights: weights, bias: bias).probability(features)
    }

    /// The least probability whose false-hit-rate bound is within `target`, or nil when no
    /// calibrated point is that safe.
    public func threshold(forFalseHitRate target: Double) -> Double? {
        calibration.first { $0.falseHitRateUpperBound <= target }?.probability
    }

    /// The calibration point that `threshold(forFalseHitRate:)` picks.
    public func calibrationPoint(forFalseHitRate target: Double) -> CalibrationPoint? {
        calibration.first { $0.falseHitRateUpperBound <= target }
    }
}

extension HitVerifier {
    /// The verifier that ships with Switchboard for `embedder`, if there is one.
    public static func builtIn(for embedder: String) -> HitVerifier? {
        guard let url = Bundle.module.url(forResource: "cache-verifier-\(embedder)", withExtension: "json") else { return nil }
        return try? load(path: url.path)
    }

    /// Loads a verifier file, checking its version and features.
    public static func load(path: String) throws(EvaluationError) -> HitVerifier {
        let model: HitVerifier
        do {
            model = try JSONDecoder().decode(HitVerifier.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw EvaluationError("\(path): not a cache verifier file (\(error)); make one with 'switchboard train cache'")
        }
        guard model.version == currentVersion else {
            throw EvaluationError("\(path): verifier format version \(model.version), this build reads version \(currentVersion); retrain it with 'switchboard train cache'")
        }
        let n = PairFeatures.names.count
        guard model.features == PairFeatures.names, model.weights.count == n, model.means.count == n, model.deviations.count == n, !model.calibration.isEmpty else {
            throw EvaluationError("\(path): the verifier's features do not match this build's; retrain it with 'switchboard train cache'")
        }
        return model
    }

    /// Writes the model as JSON, keys sorted.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
