/// How routing changes once a tenant has used part of its budget: for example, past 80 % prefer
/// the small tier, at 100 % refuse.
///
/// Steps take effect at `atPercent` of the most-used budget (daily or monthly, counting what
/// requests in flight have reserved). Whatever the steps say, a spent budget (100 %) never pays
/// for another priced call: only zero-price providers (self-hosted models) may still answer, and a
/// request that has none is refused with `insufficient_quota`.
public struct BudgetStep: Sendable, Hashable, Codable {
    /// The share of the budget, in percent (1–100), from which the step applies.
    public var atPercent: Double
    /// What it does.
    public var action: Action

    /// What a step does to a request.
    public enum Action: Sendable, Hashable, Codable {
        /// Send requests the router (or a semantic route) placed elsewhere to this tier.
        /// A model the client named explicitly is honoured until the budget is spent.
        case tier(String)
        /// Refuse priced calls from here on, as if the budget were spent: only zero-price
        /// providers still answer.
        case refuse
    }

    /// Creates a step.
    public init(atPercent: Double, action: Action) {
        self.atPercent = atPercent
        self.action = action
    }

    /// `80 % → small` or `100 % → refuse`.
    public var summary: String {
        let percent = atPercent == atPercent.rounded() ? String(Int(atPercent)) : String(atPercent)
        return switch action {
        case .tier(let tier): "\(percent) % → \(tier)"
        case .refuse: "\(percent) % → refuse"
        }
    }
}
