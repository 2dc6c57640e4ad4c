extension CacheDecisionConfiguration {
    /// Resolves `auto`, the default threshold and the verifier for the embedder named `embedder`.
    package func resolve(for embedder: String, file: String) throws(ConfigError) -> CacheHitRule {
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
            return .threshold(threshold)
        case .auto where verifier == nil:
            return .threshold(threshold)
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
            return .verified(.init(verifier: verifier, probability: probability, targetFalseHitRate: targetFalseHitRate))
        }
    }
}
