/// What a tenant's budget did to a route, for the decision record, the
/// `x-switchboard-budget` header and the dashboard: `budget 86 % used → small`.
public struct BudgetNote: Sendable, Hashable, Codable {
    /// Spent plus reserved, in percent of the most-used budget, when the route was chosen.
    public var usedPercent: Double
    /// The tier the router (or the client) had chosen.
    public var fromTier: String
    /// What happened to the request.
    public var effect: Effect
    /// Why, when it was not the budget's share (the shared-state database away, failing closed).
    public var reason: String?

    /// What a budget did.
    public enum Effect: Sendable, Hashable, Codable {
        /// A step sent it to this cheaper tier.
        case tier(String)
        /// The budget is spent (or a step refuses): only these zero-price providers may answer.
        case freeProvidersOnly([String])
        /// No provider may be paid and none is free: only a cached answer can be served; on a
        /// miss the request is refused with this message (`insufficient_quota`).
        case cacheOnly(refusal: String)
    }

    /// Creates a note.
    public init(usedPercent: Double, fromTier: String, effect: Effect, reason: String? = nil) {
        self.usedPercent = usedPercent
        self.fromTier = fromTier
        self.effect = effect
        self.reason = reason
    }

    /// `budget 86 % used → small`, `budget 100 % used → free providers only (local-llama)`, or
    /// `shared state unreachable, failing closed → cache only`.
    public var summary: String {
        // Down, so that 100 % means spent; the epsilon keeps 0.0192 / 0.02 at 96, not 95.
        let percent = Int((usedPercent + 1e-6).rounded(.down))
        let cause = reason ?? "budget \(percent) % used"
        return switch effect {
        case .tier(let tier): "\(cause) → \(tier)"
        case .freeProvidersOnly(let names): "\(cause) → free providers only (\(names.joined(separator: ", ")))"
        case .cacheOnly: "\(cause) → cache only"
        }
    }
}
