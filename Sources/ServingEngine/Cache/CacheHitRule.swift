/// How the cache decides that the nearest earlier prompt asks the same thing as a new one — the
/// one rule the cache serves by, `eval cache` measures and the snapshot names.
///
/// `cache.decision` in the configuration chooses it (``CacheDecisionConfiguration/resolve(for:file:)``).
public enum CacheHitRule: Sendable, Hashable {
    /// A fixed cosine cut-off: the nearest prompt at or above it is a hit.
    case threshold(Double)
    /// A verifier's probability that the two prompts are the same request, at or above the least
    /// probability whose calibrated false-hit-rate bound meets a target.
    case verified(Verification)

    /// A verifier and the probability at which it accepts a candidate.
    public struct Verification: Sendable, Hashable {
        /// The verifier.
        public var verifier: HitVerifier
        /// Candidates at or above this probability are hits.
        public var probability: Double
        /// The false-hit-rate target the probability was chosen for.
        public var targetFalseHitRate: Double

        /// Creates a verification.
        public init(verifier: HitVerifier, probability: Double, targetFalseHitRate: Double) {
            self.verifier = verifier
            self.probability = probability
            self.targetFalseHitRate = targetFalseHitRate
        }
    }

    /// What the rule made of one candidate.
    public struct Judgement: Sendable, Hashable {
        /// Whether the candidate's answer is served.
        public var taken: Bool
        /// The verifier's probability, under the verified rule.
        public var probability: Double?
        /// Why, for the decision record: `cosine 0.91 < threshold 0.95`, `verifier 0.97 ≥ 0.93 needed (cosine 0.96)`.
        public var reason: String
    }

    /// Judges the stored prompt `candidate`, at cosine `similarity` to the (normalised) `query`.
    /// The threshold compares in single precision, as the index stores similarities.
    public func judge(similarity: Double, query: String, candidate: String) -> Judgement {
        let cosine = (similarity * 1000).rounded() / 1000
        switch self {
        case .threshold(let threshold):
            guard Float(similarity) >= Float(threshold) else {
                return Judgement(taken: false, probability: nil, reason: "cosine \(cosine) < threshold \(threshold)")
            }
            return Judgement(taken: true, probability: nil, reason: "cosine \(cosine) ≥ threshold \(threshold)")
        case .verified(let verification):
            let probability = verification.verifier.probability(similarity: similarity, query: query, candidate: candidate)
            let shown = (probability * 1000).rounded() / 1000
            let needed = (verification.probability * 1000).rounded() / 1000
            let taken = probability >= verification.probability
            return Judgement(taken: taken, probability: probability, reason: "verifier \(shown) \(taken ? "≥" : "<") \(needed) needed (cosine \(cosine))")
        }
    }

    /// The cosine cut-off of a threshold rule, or the verifier's probability cut-off: the one
    /// number `eval cache` prints in its threshold column.
    public var cutOff: Double {
        switch self {
        case .threshold(let threshold): threshold
        case .verified(let verification): verification.probability
        }
    }

    /// A short description for the dashboard and reports: `cosine ≥ 0.95`, `verified, false hits ≤ 2 %`.
    public var summary: String {
        switch self {
        case .threshold(let threshold):
            return "cosine ≥ \(threshold)"
        case .verified(let verification):
            let percent = verification.targetFalseHitRate * 100
            return "verified, false hits ≤ \(percent.rounded() == percent ? String(Int(percent)) : String(percent)) %"
        }
    }
}
