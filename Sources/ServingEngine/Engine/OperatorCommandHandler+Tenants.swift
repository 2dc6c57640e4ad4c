import Foundation

extension OperatorCommandHandler {
    /// Carries out ``OperatorCommand/changeTenantLimits(tenant:_:)``: checks the values, applies
    /// them and says what the tenant's limits are now.
    func changeTenantLimits(_ tenant: String, _ change: TenantLimitsChange) throws(CommandError) -> String {
        guard EngineConfiguration.isValidName(tenant) else {
            throw CommandError("'\(tenant)' is not a valid tenant name; use letters, digits, '-', '_' or '.'")
        }
        if let problem = change.problem { throw CommandError(problem) }
        for step in change.onBudget ?? [] {
            if case .tier(let tier) = step.action, !configuration.tiers.contains(where: { $0.name == tier }) {
                throw CommandError("no tier named '\(tier)' for the on_budget step; tiers: \(configuration.tiers.map(\.name).joined(separator: ", "))")
            }
        }
        let before = tenants.limits(of: tenant)
        let after = change.applied(to: before)
        if !after.onBudget.isEmpty, !after.hasBudget {
            throw CommandError("on_budget steps need a budget to take a share of; set budget.daily_usd or budget.monthly_usd too")
        }
        let limits = tenants.change(tenant, change)
        // The whole fleet follows: the other replicas apply it as they apply overrides.
        shared.localTenantLimits(tenant, limits)
        if before.blocked != after.blocked {
            return after.blocked ? "tenant \(tenant) blocked by operator" : "tenant \(tenant) unblocked by operator"
        }
        return "tenant \(tenant) limits set: \(after.summary)"
    }
}
