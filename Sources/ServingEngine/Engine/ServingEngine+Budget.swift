import Foundation

extension ServingEngine {
    /// The budget step of routing: applied to every resolved route before the cache and the
    /// cascade. Past a step's share of the budget the request goes to the step's tier; once the
    /// budget is spent (or a `refuse` step is reached, or this request's worst-case cost would
    /// not fit) only zero-price providers may answer — those of its chain, else those of the
    /// cheapest tier that has any — and without one the request is refused with
    /// ``EngineError/Code/insufficientQuota``.
    ///
    /// When the caller admitted the request (``TenantPass/current``), the request's expected cost
    /// — its estimated tokens (prompt plus `max_tokens`, or the default answer length) at the
    /// price of the first provider of its chain — is reserved until it settles, so requests in
    /// flight together cannot overspend the budget on their estimates. A request whose
    /// reservation does not fit is first tried on each cheaper tier (router-chosen routes only),
    /// then on free providers, then on the cache alone, before it is refused.
    func applyBudget(_ resolved: ResolvedRoute, to request: ChatRequest) -> Result<ResolvedRoute, EngineError> {
        guard let standing = tenants.standing(request.tenant) else { return .success(resolved) }
        var route = resolved
        let pass = TenantPass.current.flatMap { $0.tenant == request.tenant ? $0 : nil }
        let chosenTier = resolved.decision.tier
        var refuseStep = false
        let routed: Bool = switch resolved.decision.method {
        case .scored, .semanticRoute: true
        case .explicitModel, .forcedTier: false
        }
        func fits(_ chain: [String]) -> Bool {
            let cost = expectedCost(of: request, chain: chain)
            return pass?.reserve(cost) ?? (standing.spentUSD + standing.reservedUSD + cost <= standing.budgetUSD)
        }
        switch standing.step?.action {
        case .tier(let tier)?:
            if routed, tier != chosenTier, let chain = chains[tier], isCheaper(tier, than: chosenTier) {
                route.decision.tier = tier
                route.chain = balance(chain, tier: tier)
                route.decision.budget = BudgetNote(usedPercent: standing.usedPercent, fromTier: chosenTier, effect: .tier(tier))
            }
        case .refuse?:
            refuseStep = true
        case nil:
            break
        }
        // The database away and the fleet failing closed: no priced call until it is back.
        let heldClosed = tenants.budgetHeldClosed(request.tenant)
        if heldClosed { tenants.countFailedClosed(request.tenant) }
        let reason = heldClosed ? Self.heldClosedReason : nil
        let payable = !standing.isSpent && !refuseStep && !heldClosed
        if payable, fits(route.chain) {
            if let note = route.decision.budget { pass?.markSteered(note) }
            return .success(route)
        }
        // Too dear for what is left: the cheapest tier whose reservation still fits.
        if payable, routed {
            for tier in configuration.tiers where isCheaper(tier.name, than: route.decision.tier) {
                let chain = balance(tier.chain, tier: tier.name)
                guard fits(chain) else { continue }
                route.decision.tier = tier.name
                route.chain = chain
                route.decision.budget = BudgetNote(usedPercent: standing.usedPercent, fromTier: chosenTier, effect: .tier(tier.name))
                pass?.markSteered(route.decision.budget)
                return .success(route)
            }
        }
        // Free providers of the chosen chain, else of the cheapest tier that has any: a spent
        // budget never blocks a self-hosted model.
        var free = route.chain.filter { isFree($0) }
        if free.isEmpty, let tier = configuration.tiers.first(where: { $0.chain.contains { isFree($0) } }) {
            free = balance(tier.chain, tier: tier.name).filter { isFree($0) }
            route.decision.tier = tier.name
        }
        guard !free.isEmpty else {
            let message = heldClosed
                ? Self.heldClosedMessage(request.tenant)
                : budgetMessage(request.tenant, standing, refuseStep: refuseStep)
            // A cached answer costs nothing, so the cache may still answer: an empty chain, and
            // on a miss ``budgetRefusal(_:tenant:)`` turns the cascade's end into this refusal.
            route.chain = []
            route.decision.budget = BudgetNote(usedPercent: standing.usedPercent, fromTier: chosenTier, effect: .cacheOnly(refusal: message), reason: reason)
            return .success(route)
        }
        route.chain = free
        route.decision.budget = BudgetNote(usedPercent: standing.usedPercent, fromTier: chosenTier, effect: .freeProvidersOnly(free), reason: reason)
        pass?.markSteered(route.decision.budget)
        return .success(route)
    }

    /// Why a spent budget (or a `refuse` step) refuses `tenant`, and when it resets.
    func budgetMessage(_ tenant: String, _ standing: BudgetStanding, refuseStep: Bool, verb: String = "answer") -> String {
        let which = standing.limit == .dailyBudget ? "daily" : "monthly"
        let spent = String(format: "$%.4f of $%.4f", standing.spentUSD, standing.budgetUSD)
        let inFlight = standing.reservedUSD > 0 ? String(format: " (plus $%.4f reserved by requests in flight)", standing.reservedUSD) : ""
        let why = refuseStep && !standing.isSpent
            ? "has used \(Int(standing.usedPercent)) % of its \(which) budget, where its on_budget step refuses priced calls"
            : "has spent \(spent) of its \(which) budget\(inFlight)"
        return "tenant '\(tenant)' \(why) (tenants[].\(standing.limit.rawValue)); no zero-price provider can \(verb) instead; the budget resets in \(TenantLimitStatus.format(seconds: standing.resetSeconds))"
    }

    /// The decision trail's words for a budget held back while the fleet fails closed.
    static let heldClosedReason = "shared state unreachable, failing closed"

    /// Why a tenant with a budget gets no priced provider while the database is away.
    static func heldClosedMessage(_ tenant: String, verb: String = "answer") -> String {
        "tenant '\(tenant)' has a budget the fleet shares, and the shared-state database cannot be reached with shared_state.on_unavailable: closed, so no priced provider may answer until it is back; no zero-price provider can \(verb) instead (set on_unavailable: open to spend within this replica's share during an outage)"
    }

    /// The refusal for a request whose budget left it to the cache only and the cache missed
    /// (counted against the tenant), or nil when its route had a provider to call.
    func budgetRefusal(_ route: RouteDecision, tenant: String) -> EngineError? {
        guard case .cacheOnly(let message)? = route.budget?.effect else { return nil }
        tenants.countBudgetRefusal(tenant, limit: tenants.standing(tenant)?.limit ?? .dailyBudget)
        return EngineError(.insufficientQuota, message)
    }

    /// Whether `provider` costs nothing (a self-hosted model priced at zero).
    func isFree(_ provider: String) -> Bool {
        guard let pricing = configuration.provider(named: provider)?.pricing else { return false }
        return pricing.inputPerMillion == 0 && pricing.outputPerMillion == 0
    }

    /// What `request` is expected to cost on `chain`: its estimated tokens at the price of the
    /// chain's first provider (the one that answers unless it fails).
    func expectedCost(of request: ChatRequest, chain: [String]) -> Double {
        let prompt = TokenEstimator.estimate(request.messages)
        let answer = request.sampling.maxTokens ?? tenants.defaultAnswerTokens
        let usage = TokenUsage(promptTokens: prompt, completionTokens: answer)
        return chain.first.flatMap { configuration.provider(named: $0)?.pricing.cost(of: usage) } ?? 0
    }

    /// Whether tier `a` comes before tier `b` in the configuration (tiers go from the cheapest up);
    /// names that are not tiers (models, providers) count as dearer than every tier.
    func isCheaper(_ a: String, than b: String) -> Bool {
        let tiers = configuration.tiers.map(\.name)
        guard let first = tiers.firstIndex(of: a) else { return false }
        guard let second = tiers.firstIndex(of: b) else { return true }
        return first < second
    }
}

extension TenantLimits {
    /// `600 req/min · 200000 tok/min · 8 in flight · $5.00/day · $100.00/month · 80 % → small`, or `unlimited`.
    package var summary: String {
        var parts: [String] = []
        if blocked { parts.append("blocked") }
        if let requestsPerMinute { parts.append("\(requestsPerMinute) req/min") }
        if let tokensPerMinute { parts.append("\(tokensPerMinute) tok/min") }
        if let maxConcurrent { parts.append("\(maxConcurrent) in flight") }
        if let dailyBudgetUSD { parts.append(String(format: "$%.2f/day", dailyBudgetUSD)) }
        if let monthlyBudgetUSD { parts.append(String(format: "$%.2f/month", monthlyBudgetUSD)) }
        parts += onBudget.map(\.summary)
        return parts.isEmpty ? "unlimited" : parts.joined(separator: " · ")
    }
}
