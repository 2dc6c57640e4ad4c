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
    /// The fixed threshold; nil takes ``defaultSimilarityThreshold``.
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

    /// The fixed threshold used when none is configured. Measured on qqp_dev (README, "Measuring
    /// the cache"), 0.95 keeps the false-hit rate near 2 % or below for both built-in embedders
    /// (hashing 0.1 %, minilm 1.7 %); a different embedder is a reason to measure again.
    public static let defaultSimilarityThreshold = 0.95
}
