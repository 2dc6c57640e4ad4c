public import ServingEngine

/// An operator command typed in the console line: a line that starts with `/`.
///
/// ```
/// /invalidate                    every cached answer
/// /invalidate @acme              one tenant's
/// /invalidate model:small        those stored for one model or route
/// /invalidate @acme model:small  both conditions
/// ```
public enum ConsoleCommand: Sendable, Hashable {
    /// Drop cached answers, narrowed by tenant and model when given.
    case invalidate(tenant: String?, model: String?)

    /// The syntax, as errors and the help show it.
    public static let syntaxHint = "/invalidate [@tenant] [model:NAME]"

    /// Parses `line` when it is a command (starts with `/`); nil when it is a prompt.
    public static func parse(_ line: String) -> Result<ConsoleCommand, ConsolePrompt.ParseError>? {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let name = words.first, name.hasPrefix("/") else { return nil }
        guard name == "/invalidate" else {
            return .failure(.init(message: "unknown console command '\(name)'; available: \(syntaxHint)"))
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
    public var operatorCommand: OperatorCommand {
        switch self {
        case .invalidate(let tenant, let model): .invalidateCache(tenant: tenant, model: model)
        }
    }
}
