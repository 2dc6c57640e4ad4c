import Foundation
import ServingEngine

/// Tenants in Prometheus text, read from the engine's limiter when `/metrics` is scraped (so a
/// throttled or blocked tenant shows without a request of its own having to finish).
///
/// Families, each labelled `tenant`: `switchboard_tenant_requests_total` (admitted),
/// `switchboard_tenant_throttled_total{limit}`, `switchboard_tenant_cache_hits_total`,
/// `switchboard_tenant_steered_total`, `switchboard_tenant_tokens_total`,
/// `switchboard_tenant_spend_usd_total`, `switchboard_tenant_in_flight`,
/// `switchboard_tenant_spend_today_usd`, `switchboard_tenant_spend_month_usd`,
/// `switchboard_tenant_budget_used_ratio` (tenants with a budget),
/// `switchboard_tenant_remaining_requests` and `_remaining_tokens` (tenants with those limits).
enum TenantMetrics {
    static func render(_ tenants: [TenantSnapshot]) -> [UInt8] {
        guard !tenants.isEmpty else { return [] }
        var text = ""
        func family(_ name: String, _ type: String, _ help: String, _ values: [(labels: String, value: String)]) {
            guard !values.isEmpty else { return }
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in values { text += "\(name){\(labels)} \(value)\n" }
        }
        func label(_ tenant: TenantSnapshot) -> String { "tenant=\"\(escape(tenant.name))\"" }
        family("switchboard_tenant_requests_total", "counter", "Requests admitted under the tenant's limits.", tenants.map { (label($0), "\($0.counters.admitted)") })
        family("switchboard_tenant_throttled_total", "counter", "Requests refused by a tenant limit (429), by limit.", tenants.flatMap { tenant in
            tenant.counters.throttled.sorted { $0.key.rawValue < $1.key.rawValue }.map { (label(tenant) + ",limit=\"\($0.key.rawValue)\"", "\($0.value)") }
        })
        family("switchboard_tenant_cache_hits_total", "counter", "Admitted requests answered from the cache (they cost nothing).", tenants.map { (label($0), "\($0.counters.cacheHits)") })
        family("switchboard_tenant_steered_total", "counter", "Requests a budget step moved to a cheaper tier or to free providers only.", tenants.map { (label($0), "\($0.counters.steered)") })
        family("switchboard_tenant_shared_state_unavailable_total", "counter", "Requests decided without the shared-state database: outcome=failed_open (admitted on this replica's own limits) or failed_closed (refused, or kept from priced providers).", tenants.flatMap { tenant in
            [(label(tenant) + ",outcome=\"failed_open\"", "\(tenant.counters.failedOpen)"), (label(tenant) + ",outcome=\"failed_closed\"", "\(tenant.counters.failedClosed)")]
        })
        family("switchboard_tenant_tokens_total", "counter", "Tokens used by providers for the tenant.", tenants.map { (label($0), "\($0.counters.tokens)") })
        family("switchboard_tenant_spend_usd_total", "counter", "Dollars spent for the tenant since start.", tenants.map { (label($0), number($0.counters.spentUSD)) })
        family("switchboard_tenant_in_flight", "gauge", "Requests of the tenant in flight.", tenants.map { (label($0), "\($0.inFlight)") })
        family("switchboard_tenant_spend_today_usd", "gauge", "Dollars spent today (UTC).", tenants.map { (label($0), number($0.spentTodayUSD)) })
        family("switchboard_tenant_spend_month_usd", "gauge", "Dollars spent this month (UTC).", tenants.map { (label($0), number($0.spentThisMonthUSD)) })
        family("switchboard_tenant_budget_used_ratio", "gauge", "Spent plus reserved over the most-used budget (1 = spent).", tenants.compactMap { tenant in tenant.budget.map { (label(tenant), number($0.usedPercent / 100)) } })
        family("switchboard_tenant_remaining_requests", "gauge", "Requests left in the tenant's per-minute bucket.", tenants.compactMap { tenant in tenant.status.requests.map { (label(tenant), "\($0.remaining)") } })
        family("switchboard_tenant_remaining_tokens", "gauge", "Tokens left in the tenant's per-minute bucket.", tenants.compactMap { tenant in tenant.status.tokens.map { (label(tenant), "\($0.remaining)") } })
        return Array(text.utf8)
    }

    private static func number(_ value: Double) -> String {
        String(format: "%.6f", value)
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
