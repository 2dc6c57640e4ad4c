/// What a replica of a fleet does with tenants' limits while the shared-state database cannot
/// be reached (`shared_state.on_unavailable`).
public enum UnavailablePolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Keep serving: per-minute limits fall back to each replica's own buckets (a fleet of `n`
    /// may admit up to `n ×` a limit while the outage lasts) and budgets to the share of the
    /// remaining budget each replica held at its last sync. The default: an outage of the
    /// database does not become an outage of the gateway.
    case open
    /// Hold limits to what was leased: per-minute limits admit only within the leases this
    /// replica already holds, and a tenant with a budget is answered only by zero-price
    /// providers and the cache. For fleets where a limit must never be passed.
    case closed
}
