extension CacheDecisionConfiguration {
    /// The rule in force for `embedder`: a threshold, and a verification when the rule is verified.
    public struct Resolved: Sendable, Hashable {
        /// The cosine threshold (used when ``verification`` is nil).
        public var similarityThreshold: Double
        /// The verified rule, if that is the one in force.
        public var verification: SemanticCache.Verification?

        /// A short description for the dashboard and reports.
        public var summary: String {
            if let verification {
                let percent = verification.targetFalseHitRate * 100
                return "verified, false hits ≤ \(percent.rounded() == percent ? String(Int(percent)) : String(percent)) %"
            }
            return "cosine ≥ \(similarityThreshold)"
        }
    }

    /// Resolves `auto`, the default threshold and the verifier for the embedder named `embedder`.
    public func resolve(for embedder: String, file: String) throws(ConfigError) -> Resolved {
        let threshold = similarityThreshold ?? Self.defaultSimilarityThreshold
        let verifier: HitVerifier?
        if let verifierPath {
            do {
                verifier = try HitVerifier.load(path: verifierPath)
            } catch {
                throw ConfigError(file: file, key: "cache.verifier", message: error.message)
            }
        } else {
            verifier = HitVerifier.builtIn(for: embedder)
        }
        switch kind {
        case .threshold:
            return Resolved(similarityThreshold: threshold)
        case .auto where verifier == nil:
            return Resolved(similarityThreshold: threshold)
        case .auto, .verified:
            guard let verifier else {
                throw ConfigError(file: file, key: "cache.decision", message: "no verifier ships for the \(embedder) embedder; train one with 'switchboard train cache' and name it in cache.verifier, or use decision: threshold")
            }
            guard verifier.embedder == embedder else {
                throw ConfigError(file: file, key: "cache.verifier", message: "the verifier was trained on \(verifier.embedder) similarities but the cache uses \(embedder); train one for \(embedder) with 'switchboard train cache --embedder \(embedder)'")
            }
            guard let probability = verifier.threshold(forFalseHitRate: targetFalseHitRate) else {
                let safest = verifier.calibration.map(\.falseHitRateUpperBound).min() ?? 1
                throw ConfigError(file: file, key: "cache.target_false_hit_rate", message: "the verifier cannot promise a false-hit rate of \(targetFalseHitRate); its safest calibrated bound is \(safest); raise the target")
            }
            return Resolved(similarityThreshold: threshold, verification: .init(verifier: verifier, probability: probability, targetFalseHitRate: targetFalseHitRate))
        }
    }
}
