/// How the cache decides that the nearest earlier prompt asks the same thing as a new one.
///
/// `threshold` is the classic fixed cosine cut-off. `verified` asks a ``HitVerifier`` for the
/// probability that the two prompts are the same request and accepts at the least probability
/// whose calibrated false-hit-rate bound is within ``targetFalseHitRate``. `auto` (the default)
/// is `verified` when a verifier exists for the live embedder, `threshold` otherwise.
public struct CacheDecisionConfiguration: Sendable, Hashable {
    /// The kinds of rule.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `verified` when a verifier exists for the embedder, else `threshold`.
        case auto
        /// A fixed cosine threshold.
        case threshold
        /// A verifier held to a false-hit-rate target.
        case verified
    }

    /// The rule asked for.
    public var kind: Kind
    /// The fixed threshold; nil takes the measured default of the live embedder.
    public var similarityThreshold: Double?
    /// The largest share of different-request pairs the `verified` rule may serve as hits.
    public var targetFalseHitRate: Double
    /// A verifier file from `switchboard train cache`; nil takes the built-in one for the embedder.
    public var verifierPath: String?

    /// Creates a decision configuration.
    public init(kind: Kind = .auto, similarityThreshold: Double? = nil, targetFalseHitRate: Double = 0.02, verifierPath: String? = nil) {
        self.kind = kind
        self.similarityThreshold = similarityThreshold
        self.targetFalseHitRate = targetFalseHitRate
        self.verifierPath = verifierPath
    }

    /// The fixed threshold measured as a sound default for each embedder (see the README's
    /// "Measuring the cache"): it keeps qqp_dev's false-hit rate near 2 % or below.
    public static func defaultSimilarityThreshold(for embedder: String) -> Double {
        switch embedder {
        case "minilm": 0.95
        default: 0.95
        }
    }
}
