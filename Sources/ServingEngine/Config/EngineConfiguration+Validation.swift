extension EngineConfiguration {
    /// Checks that names are unique and every reference resolves; the errors say which key to fix.
    package func validate() throws(ConfigError) {
        func fail(_ key: String, _ message: String) -> ConfigError {
            ConfigError(file: source, key: key, message: message)
        }
        guard !providers.isEmpty else { throw fail("providers", "no providers are configured; add at least one") }
        var names = Set<String>()
        for (index, provider) in providers.enumerated() {
            guard Self.isValidName(provider.name) else {
                throw fail("providers[\(index)].name", "'\(provider.name)' is not a valid name; use letters, digits, '-', '_' or '.'")
            }
            guard names.insert(provider.name).inserted else {
                throw fail("providers[\(index)].name", "a provider named '\(provider.name)' is already defined; names must be unique")
            }
            if provider.kind.isRemote, provider.baseURL == nil {
                throw fail("providers[\(index)].base_url", "a \(provider.kind.name) provider needs a base_url, e.g. http://127.0.0.1:8000/v1")
            }
        }
        guard !tiers.isEmpty else { throw fail("tiers", "no tiers are configured; add at least one with a chain of providers") }
        let known = providers.map(\.name).joined(separator: ", ")
        var chainNames = Set(providers.map(\.name))
        for (group, list) in [("tiers", tiers), ("models", models)] {
            for (index, tier) in list.enumerated() {
                guard Self.isValidName(tier.name), tier.name != ChatRequest.automaticModel else {
                    throw fail("\(group)[\(index)].name", "'\(tier.name)' cannot be used as a name; 'auto' is reserved and names use letters, digits, '-', '_' or '.'")
                }
                guard chainNames.insert(tier.name).inserted else {
                    throw fail("\(group)[\(index)].name", "'\(tier.name)' is already the name of a provider, tier or model; names must be unique")
                }
                guard !tier.chain.isEmpty else {
                    throw fail("\(group)[\(index)].chain", "the chain is empty; list at least one provider")
                }
                for (position, provider) in tier.chain.enumerated() where !names.contains(provider) {
                    throw fail("\(group)[\(index)].chain[\(position)]", "no provider named '\(provider)'; known providers: \(known)")
                }
                if Set(tier.chain).count != tier.chain.count {
                    throw fail("\(group)[\(index)].chain", "a provider appears twice in the chain; list each once")
                }
            }
        }
        let tierNames = tiers.map(\.name)
        for (index, threshold) in routerThresholds.enumerated() where !tierNames.contains(threshold.tier) {
            throw fail("router.thresholds[\(index)].tier", "no tier named '\(threshold.tier)'; tiers: \(tierNames.joined(separator: ", "))")
        }
        for (index, route) in router.routes.enumerated() where !chainNames.contains(route.target) {
            throw fail("router.routes[\(index)].target", "no tier, model or provider named '\(route.target)'")
        }
        guard tierNames.contains(frontierTier) else {
            throw fail("frontier_tier", "no tier named '\(frontierTier)'; tiers: \(tierNames.joined(separator: ", "))")
        }
        var tenantNames = Set<String>()
        for (index, tenant) in tenants.enumerated() {
            guard Self.isValidName(tenant.name), tenantNames.insert(tenant.name).inserted else {
                throw fail("tenants[\(index)].name", "'\(tenant.name)' is not a valid tenant name or is listed twice; use letters, digits, '-', '_' or '.', once each")
            }
            for (position, step) in tenant.limits.onBudget.enumerated() {
                if case .tier(let tier) = step.action, !tierNames.contains(tier) {
                    throw fail("tenants[\(index)].on_budget[\(position)].tier", "no tier named '\(tier)'; tiers: \(tierNames.joined(separator: ", "))")
                }
            }
        }
        if traffic.tenants.isEmpty {
            throw fail("traffic.tenants", "the list is empty; name at least one tenant")
        }
    }

    package static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
    }
}
