import Foundation
import Hummingbird
import ServingEngine

extension GatewayServer {
    /// `GET /admin/tenants`: every configured or seen tenant with its limits, use and counters.
    func adminTenants(_ request: Request) -> Response {
        if let error = authorizeAdmin(request) { return failure(error, route: "admin") }
        let tenants = engine.tenants.snapshot()
        let status = engine.snapshot(activityLimit: 0).sharedState
        /// How the fleet decides while the database is away, and how often it had to.
        struct Fleet: Encodable { var state: String; var on_unavailable: String?; var failed_open: Int; var failed_closed: Int }
        struct Body: Encodable { var shared_state: Fleet; var tenants: [TenantBody] }
        let fleet = Fleet(
            state: status.label, on_unavailable: status.onUnavailable?.rawValue,
            failed_open: tenants.reduce(0) { $0 + $1.counters.failedOpen }, failed_closed: tenants.reduce(0) { $0 + $1.counters.failedClosed }
        )
        return respond(route: "admin", Self.json(Body(shared_state: fleet, tenants: tenants.map(TenantBody.init))))
    }

    /// `POST /admin/tenants/{id}/limits` with any of `requests_per_minute`, `tokens_per_minute`,
    /// `max_concurrent`, `budget` {`daily_usd`, `monthly_usd`}, `on_budget` [{`at_percent`,
    /// `tier` | `refuse`}], `blocked`; `null` removes a limit, a key left out keeps it.
    func adminTenantLimits(_ request: Request, tenant: String) async -> Response {
        if let error = authorizeAdmin(request) { return failure(error, route: "admin") }
        let object: [String: Any]
        switch await adminBody(request) {
        case .success(let body): object = body
        case .failure(let error): return failure(error, route: "admin")
        }
        let change: TenantLimitsChange
        switch Self.limitsChange(object) {
        case .success(let value): change = value
        case .failure(let error): return failure(error, route: "admin")
        }
        do {
            let message = try engine.perform(.changeTenantLimits(tenant: tenant, change))
            logger.notice("operator command", metadata: ["command": "\(message)", "via": "admin-api"])
            struct Body: Encodable { var message: String; var tenant: TenantBody? }
            let snapshot = engine.tenants.snapshot().first { $0.name == tenant }
            return respond(route: "admin", Self.json(Body(message: message, tenant: snapshot.map(TenantBody.init))))
        } catch {
            return failure(APIError(.badRequest, error.message, code: "invalid_limits"), route: "admin")
        }
    }

    /// Reads a limits change from a JSON object, naming the key of any bad value.
    static func limitsChange(_ object: [String: Any]) -> Result<TenantLimitsChange, APIError> {
        let known = ["requests_per_minute", "tokens_per_minute", "max_concurrent", "budget", "on_budget", "blocked"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            return .failure(invalid(unknown, "unknown key '\(unknown)'; known keys: \(known.joined(separator: ", "))"))
        }
        var change = TenantLimitsChange()
        func count(_ key: String, in object: [String: Any]) throws(APIError) -> Int?? {
            guard let value = object[key] else { return nil }
            if value is NSNull { return .some(nil) }
            guard let number = value as? NSNumber, !isJSONBoolean(value), number.doubleValue == number.doubleValue.rounded(), let whole = Int(exactly: number.doubleValue) else {
                throw invalid(key, "'\(key)' must be a whole number from 1 to \(TenantLimits.rateRange.upperBound), or null for no limit")
            }
            return .some(whole)
        }
        func dollars(_ key: String, in object: [String: Any]) throws(APIError) -> Double?? {
            guard let value = object[key] else { return nil }
            if value is NSNull { return .some(nil) }
            guard let number = value as? NSNumber, !isJSONBoolean(value) else {
                throw invalid("budget.\(key)", "'budget.\(key)' must be a number of dollars, or null for no budget")
            }
            return .some(number.doubleValue)
        }
        do throws(APIError) {
            change.requestsPerMinute = try count("requests_per_minute", in: object)
            change.tokensPerMinute = try count("tokens_per_minute", in: object)
            change.maxConcurrent = try count("max_concurrent", in: object)
            if let budget = object["budget"] {
                if budget is NSNull {
                    change.dailyBudgetUSD = .some(nil)
                    change.monthlyBudgetUSD = .some(nil)
                } else if let budget = budget as? [String: Any] {
                    if let unknown = budget.keys.sorted().first(where: { !["daily_usd", "monthly_usd"].contains($0) }) {
                        throw invalid("budget.\(unknown)", "unknown key 'budget.\(unknown)'; known keys: daily_usd, monthly_usd")
                    }
                    change.dailyBudgetUSD = try dollars("daily_usd", in: budget)
                    change.monthlyBudgetUSD = try dollars("monthly_usd", in: budget)
                } else {
                    throw invalid("budget", "'budget' must be an object {\"daily_usd\": N, \"monthly_usd\": N} or null")
                }
            }
            if let steps = object["on_budget"] {
                guard let list = steps as? [[String: Any]] else {
                    throw invalid("on_budget", "'on_budget' must be a list of {\"at_percent\": N, \"tier\": NAME} or {\"at_percent\": N, \"refuse\": true}")
                }
                change.onBudget = try list.map { step throws(APIError) in
                    guard let value = step["at_percent"], !isJSONBoolean(value), let percent = (value as? NSNumber)?.doubleValue else {
                        throw invalid("on_budget.at_percent", "every on_budget step needs 'at_percent', a number from 1 to 100")
                    }
                    if let tier = step["tier"] as? String, step["refuse"] == nil { return BudgetStep(atPercent: percent, action: .tier(tier)) }
                    if let refuse = step["refuse"], isJSONBoolean(refuse), refuse as? Bool == true, step["tier"] == nil { return BudgetStep(atPercent: percent, action: .refuse) }
                    throw invalid("on_budget", "every on_budget step needs either \"tier\": NAME or \"refuse\": true")
                }
            }
            if let blocked = object["blocked"] {
                guard isJSONBoolean(blocked), let value = blocked as? Bool else { throw invalid("blocked", "'blocked' must be true or false") }
                change.blocked = value
            }
        } catch {
            return .failure(error)
        }
        return .success(change)
    }

    /// Whether a value from `JSONSerialization` is `true` or `false`. On Linux the numbers 0 and
    /// 1 also pass `is Bool`; only real booleans are stored as the one-byte `c` type.
    static func isJSONBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    private static func invalid(_ param: String, _ message: String) -> APIError {
        APIError(.badRequest, message, param: param, code: "invalid_limits")
    }
}

/// One tenant in the admin API.
struct TenantBody: Encodable {
    var name: String
    var configured: Bool
    var blocked: Bool
    var requests_per_minute: Int?
    var tokens_per_minute: Int?
    var max_concurrent: Int?
    var budget: Budget
    var on_budget: [String]
    var in_flight: Int
    var requests_last_minute: Int
    var tokens_last_minute: Int
    var remaining_requests: Int?
    var remaining_tokens: Int?
    var spent_today_usd: Double
    var spent_this_month_usd: Double
    var reserved_usd: Double
    var budget_used_percent: Double?
    var budget_step: String?
    var admitted: Int
    var throttled: [String: Int]
    var cache_hits: Int
    var steered: Int
    var tokens: Int
    var failed_open: Int
    var failed_closed: Int

    struct Budget: Encodable {
        var daily_usd: Double?
        var monthly_usd: Double?
    }

    init(_ tenant: TenantSnapshot) {
        name = tenant.name
        configured = tenant.configured
        blocked = tenant.limits.blocked
        requests_per_minute = tenant.limits.requestsPerMinute
        tokens_per_minute = tenant.limits.tokensPerMinute
        max_concurrent = tenant.limits.maxConcurrent
        budget = Budget(daily_usd: tenant.limits.dailyBudgetUSD, monthly_usd: tenant.limits.monthlyBudgetUSD)
        on_budget = tenant.limits.onBudget.map(\.summary)
        in_flight = tenant.inFlight
        requests_last_minute = tenant.requestsLastMinute
        tokens_last_minute = tenant.tokensLastMinute
        remaining_requests = tenant.status.requests?.remaining
        remaining_tokens = tenant.status.tokens?.remaining
        spent_today_usd = tenant.spentTodayUSD
        spent_this_month_usd = tenant.spentThisMonthUSD
        reserved_usd = tenant.reservedUSD
        budget_used_percent = tenant.budget?.usedPercent
        budget_step = tenant.budget?.step?.summary
        admitted = tenant.counters.admitted
        throttled = Dictionary(uniqueKeysWithValues: tenant.counters.throttled.map { ($0.key.rawValue, $0.value) })
        cache_hits = tenant.counters.cacheHits
        steered = tenant.counters.steered
        tokens = tenant.counters.tokens
        failed_open = tenant.counters.failedOpen
        failed_closed = tenant.counters.failedClosed
    }
}
