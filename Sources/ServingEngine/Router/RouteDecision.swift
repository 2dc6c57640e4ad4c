/// How the engine chose where to send a request, with the evidence.
public struct RouteDecision: Sendable, Hashable, Codable {
    /// The complexity score in [0, 1]; higher means harder.
    public var score: Double
    /// What raised the score, largest contribution first.
    public var reasons: [RouteReason]
    /// The tier whose chain serves the request.
    public var tier: String
    /// How the tier was chosen.
    public var method: Method
    /// What the tenant's budget changed, if anything (`budget 86 % used → small`).
    public var budget: BudgetNote?

    /// How a route was chosen.
    public enum Method: Sendable, Hashable, Codable {
        /// The router scored the prompt.
        case scored
        /// The client named a model, tier or provider.
        case explicitModel(String)
        /// The operator forced a tier for this request.
        case forcedTier
        /// The prompt was close enough to a semantic route's examples.
        case semanticRoute(name: String, similarity: Double)
    }

    /// Creates a decision.
    public init(score: Double, reasons: [RouteReason], tier: String, method: Method, budget: BudgetNote? = nil) {
        self.score = score
        self.reasons = reasons
        self.tier = tier
        self.method = method
        self.budget = budget
    }

    /// The reasons as one short line, e.g. `code +0.30, length +0.12`.
    public var reasonSummary: String {
        reasons.isEmpty ? "no complexity cues" : reasons.map(\.summary).joined(separator: ", ")
    }
}

/// One feature's contribution to a complexity score.
public struct RouteReason: Sendable, Hashable, Codable {
    /// The feature (`length`, `code`, `maths`, `reasoning`, `multi-part`, `conversation`, `output`).
    public var feature: String
    /// How much it added to the raw score.
    public var contribution: Double
    /// What was seen, e.g. `412 tokens` or `"step by step"`.
    public var evidence: String

    /// Creates a reason.
    public init(feature: String, contribution: Double, evidence: String) {
        self.feature = feature
        self.contribution = contribution
        self.evidence = evidence
    }

    /// `feature +0.25 (evidence)`.
    public var summary: String {
        let value = (contribution * 100).rounded() / 100
        return "\(feature) +\(value) (\(evidence))"
    }
}
