package import ServingEngine

/// An operator command typed in the console line: a line that starts with `/`.
///
/// ```
/// /invalidate                    every cached answer
/// /invalidate @acme              one tenant's
/// /invalidate model:small        those stored for one model or route
/// /invalidate @acme model:small  both conditions
/// /limit @acme rpm=600 tpm=200000 concurrent=8 daily=5 monthly=100   change limits (`off` removes one)
/// /block @acme                   refuse every request of a tenant; /unblock @acme lifts it
/// ```
package enum ConsoleCommand: Sendable, Hashable {
    /// Drop cached answers, narrowed by tenant and model when given.
    case invalidate(tenant: String?, model: String?)
    /// Change some of a tenant's limits, or block or unblock it.
    case tenantLimits(tenant: String, TenantLimitsChange)

    /// The syntax, as errors and the help show it.
    package static let syntaxHint = "/invalidate [@tenant] [model:NAME]"
    /// The tenant commands' syntax.
    package static let tenantSyntaxHint = "/limit @tenant rpm=N tpm=N concurrent=N daily=USD monthly=USD, /block @tenant, /unblock @tenant"

    /// Parses `line` when it is a command (starts with `/`); nil when it is a prompt.
    package static func parse(_ line: String) -> Result<ConsoleCommand, ConsolePrompt.ParseError>? {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let name = words.first, name.hasPrefix("/") else { return nil }
        if name == "/limit" || name == "/block" || name == "/unblock" { return parseTenantCommand(String(name), Array(words.dropFirst())) }
        guard name == "/invalidate" else {
            return .failure(.init(message: "unknown console command '\(name)'; available: \(syntaxHint), \(tenantSyntaxHint)"))
        }
        var tenant: String?
        var model: String?
        for word in words.dropFirst() {
            if word.hasPrefix("@"), word.count > 1, tenant == nil {
                tenant = String(word.dropFirst())
            } else if word.hasPrefix("model:"), word.count > 6, model == nil {
                model = String(word.dropFirst(6))
            } else {
                return .failure(.init(message: "/invalidate: unexpected '\(word)'; use \(syntaxHint)"))
            }
        }
        return .success(.invalidate(tenant: tenant, model: model))
    }

    /// The engine command this console command sends.
    package var operatorCommand: OperatorCommand {
        switch self {
        case .invalidate(let tenant, let model): .invalidateCache(tenant: tenant, model: model)
        case .tenantLimits(let tenant, let change): .changeTenantLimits(tenant: tenant, change)
        }
    }

    /// `/limit @t key=value…`, `/block @t`, `/unblock @t`.
    private static func parseTenantCommand(_ name: String, _ words: [Substring]) -> Result<ConsoleCommand, ConsolePrompt.ParseError> {
        let usage = name == "/limit" ? "/limit @tenant rpm=N tpm=N concurrent=N daily=USD monthly=USD (a value of off removes that limit)" : "\(name) @tenant"
        guard let first = words.first, first.hasPrefix("@"), first.count > 1 else {
            return .failure(.init(message: "\(name): name the tenant first, e.g. \(usage)"))
        }
        let tenant = String(first.dropFirst())
        var change = TenantLimitsChange()
        if name != "/limit" {
            guard words.count == 1 else { return .failure(.init(message: "\(name): unexpected '\(words[1])'; use \(usage)")) }
            change.blocked = name == "/block"
            return .success(.tenantLimits(tenant: tenant, change))
        }
        guard words.count > 1 else { return .failure(.init(message: "/limit: say which limits to set; use \(usage)")) }
        for word in words.dropFirst() {
            let parts = word.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return .failure(.init(message: "/limit: expected key=value, got '\(word)'; use \(usage)")) }
            let key = String(parts[0]), value = String(parts[1])
            let off = value == "off" || value == "none"
            switch key {
            case "rpm", "tpm", "concurrent":
                let number = Int(value)
                guard off || (number.map { $0 >= 1 } ?? false) else {
                    return .failure(.init(message: "/limit: \(key) must be a whole number of at least 1 or off, got '\(value)'"))
                }
                let limit: Int?? = .some(off ? nil : number)
                if key == "rpm" { change.requestsPerMinute = limit } else if key == "tpm" { change.tokensPerMinute = limit } else { change.maxConcurrent = limit }
            case "daily", "monthly":
                let dollars = Double(value.hasPrefix("$") ? String(value.dropFirst()) : value)
                guard off || (dollars.map { $0 >= 0 && $0.isFinite } ?? false) else {
                    return .failure(.init(message: "/limit: \(key) must be a number of dollars (e.g. 5 or 0.50) or off, got '\(value)'"))
                }
                let budget: Double?? = .some(off ? nil : dollars)
                if key == "daily" { change.dailyBudgetUSD = budget } else { change.monthlyBudgetUSD = budget }
            default:
                return .failure(.init(message: "/limit: unknown limit '\(key)'; use \(usage)"))
            }
        }
        return .success(.tenantLimits(tenant: tenant, change))
    }
}
