extension ConfigurationLoader {
    /// Reads `tenants[]`: each `name`, `requests_per_minute`, `tokens_per_minute`,
    /// `max_concurrent`, `budget` {`daily_usd`, `monthly_usd`}, `on_budget` [{`at_percent`,
    /// `tier` | `refuse: true`}], `blocked`. Every bad value is an error at its line.
    static func readTenants(_ reader: inout YAMLReader, tiers: [String]) throws(ConfigError) -> [TenantConfiguration] {
        var tenants: [TenantConfiguration] = []
        for var item in try reader.list("tenants") {
            let name = try item.string("name")
            guard EngineConfiguration.isValidName(name) else {
                throw item.error("name", "'\(name)' is not a valid tenant name; use letters, digits, '-', '_' or '.'")
            }
            guard !tenants.contains(where: { $0.name == name }) else {
                throw item.error("name", "tenant '\(name)' is already listed; list each tenant once")
            }
            var limits = TenantLimits()
            limits.requestsPerMinute = try optionalInt(&item, "requests_per_minute", unit: " requests per minute")
            limits.tokensPerMinute = try optionalInt(&item, "tokens_per_minute", unit: " tokens per minute")
            limits.maxConcurrent = try optionalInt(&item, "max_concurrent", unit: " requests in flight")
            if var budget = try item.mapping("budget") {
                limits.dailyBudgetUSD = try optionalDollars(&budget, "daily_usd")
                limits.monthlyBudgetUSD = try optionalDollars(&budget, "monthly_usd")
                try budget.finish(known: ["daily_usd", "monthly_usd"])
            }
            var steps: [BudgetStep] = []
            for var step in try item.list("on_budget") {
                guard step.has("at_percent") else {
                    throw step.error("", "a step needs 'at_percent' (1 to 100) and either 'tier: NAME' or 'refuse: true', e.g. { at_percent: 80, tier: small }")
                }
                let percent = try step.double("at_percent", default: 100, in: 1...100, unit: " %")
                let refuse = try step.bool("refuse", default: false)
                let action: BudgetStep.Action
                switch (step.has("tier"), refuse) {
                case (true, false):
                    let tier = try step.string("tier")
                    guard tiers.contains(tier) else {
                        throw step.error("tier", "no tier named '\(tier)'; tiers: \(tiers.joined(separator: ", "))")
                    }
                    action = .tier(tier)
                case (false, true):
                    action = .refuse
                case (true, true):
                    throw step.error("refuse", "a step either moves requests to a tier or refuses; give 'tier' or 'refuse: true', not both")
                case (false, false):
                    throw step.error("", "a step needs either 'tier: NAME' (route there from at_percent on) or 'refuse: true'")
                }
                if steps.contains(where: { $0.atPercent == percent }) {
                    throw step.error("at_percent", "another step of this tenant is already at \(YAMLReader.format(percent)) %; give each step its own share")
                }
                steps.append(BudgetStep(atPercent: percent, action: action))
                try step.finish(known: ["at_percent", "tier", "refuse"])
            }
            if !steps.isEmpty, !limits.hasBudget {
                throw item.error("on_budget", "steps need a budget to take a share of; add budget: { daily_usd: …, monthly_usd: … }")
            }
            limits.onBudget = steps.sorted { $0.atPercent < $1.atPercent }
            limits.blocked = try item.bool("blocked", default: false)
            try item.finish(known: ["name", "requests_per_minute", "tokens_per_minute", "max_concurrent", "budget", "on_budget", "blocked"])
            tenants.append(TenantConfiguration(name: name, limits: limits))
        }
        return tenants
    }

    private static func optionalInt(_ reader: inout YAMLReader, _ key: String, unit: String) throws(ConfigError) -> Int? {
        guard reader.has(key) else { return nil }
        guard reader.value(key) != nil else { return nil }  // `key: null` or `key:` is no limit
        return try reader.int(key, default: 0, in: TenantLimits.rateRange, unit: unit)
    }

    private static func optionalDollars(_ reader: inout YAMLReader, _ key: String) throws(ConfigError) -> Double? {
        guard reader.has(key) else { return nil }
        guard reader.value(key) != nil else { return nil }
        return try reader.double(key, default: 0, in: TenantLimits.budgetRange, unit: " USD")
    }
}
