/// How requests are routed: the score that measures difficulty, the tier thresholds on it, and
/// named semantic routes that take precedence when a prompt is close enough to their examples.
public struct RouterConfiguration: Sendable, Hashable {
    /// What produces the difficulty score.
    public enum Strategy: Sendable, Hashable {
        /// The transparent rule score of ``ComplexityRouter``.
        case rules
        /// A learned model's probability that the strong tier's answer would be better.
        case learned(LearnedRouterModel, path: String)

        /// `rules` or `learned`.
        public var name: String {
            switch self {
            case .rules: "rules"
            case .learned: "learned"
            }
        }
    }

    /// The score.
    public var strategy: Strategy
    /// Named routes defined by example utterances.
    public var routes: [SemanticRoute]

    /// Creates a router configuration.
    public init(strategy: Strategy = .rules, routes: [SemanticRoute] = []) {
        self.strategy = strategy
        self.routes = routes
    }
}

/// A named route: prompts close enough to its examples go to its tier or model, whatever their
/// score (in the spirit of aurelio-labs/semantic-router).
public struct SemanticRoute: Sendable, Hashable {
    /// The route's name, shown in decisions.
    public var name: String
    /// The tier, model alias or provider it sends prompts to.
    public var target: String
    /// The least cosine similarity to one of the examples that takes the route.
    public var minSimilarity: Double
    /// Example utterances.
    public var examples: [String]

    /// Creates a route.
    public init(name: String, target: String, minSimilarity: Double, examples: [String]) {
        self.name = name
        self.target = target
        self.minSimilarity = minSimilarity
        self.examples = examples
    }
}
