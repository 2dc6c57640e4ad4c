package import ServingEngine

/// A prompt typed in the console, with the directives written before it.
///
/// Directives are words at the start of the line:
/// - `@TENANT` sends it as that tenant (default `console`),
/// - `tier:NAME` forces a tier, `model:NAME` names a model, alias or provider,
/// - `!nocache` neither looks in nor stores into the cache.
///
/// ```
/// @acme tier:frontier !nocache explain the CAP theorem
/// ```
package struct ConsolePrompt: Sendable, Hashable {
    /// The prompt text without the directives.
    package var text: String
    /// The tenant.
    package var tenant: String
    /// A forced tier, if any.
    package var tier: String?
    /// A model, alias or provider name, if any.
    package var model: String?
    /// Whether to bypass the cache.
    package var bypassCache: Bool

    /// The tenant used when the line names none.
    package static let defaultTenant = "console"

    /// The syntax, as the console pane shows it.
    package static let syntaxHint = "@tenant tier:NAME model:NAME !nocache <prompt>"

    /// Creates a prompt.
    package init(text: String, tenant: String = ConsolePrompt.defaultTenant, tier: String? = nil, model: String? = nil, bypassCache: Bool = false) {
        self.text = text
        self.tenant = tenant
        self.tier = tier
        self.model = model
        self.bypassCache = bypassCache
    }

    /// Why a console line could not be sent.
    package struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What to fix.
        package var message: String
        package var description: String { message }
    }

    /// Parses a console line.
    package static func parse(_ line: String) -> Result<ConsolePrompt, ParseError> {
        var prompt = ConsolePrompt(text: "")
        var words = line.split(separator: " ", omittingEmptySubsequences: true)[...]
        while let word = words.first {
            if word.hasPrefix("@") {
                let tenant = word.dropFirst()
                guard !tenant.isEmpty else { return .failure(ParseError(message: "\"@\" needs a tenant name, e.g. @acme")) }
                prompt.tenant = String(tenant)
            } else if word.hasPrefix("tier:") {
                let tier = word.dropFirst(5)
                guard !tier.isEmpty else { return .failure(ParseError(message: "\"tier:\" needs a tier name, e.g. tier:frontier")) }
                prompt.tier = String(tier)
            } else if word.hasPrefix("model:") {
                let model = word.dropFirst(6)
                guard !model.isEmpty else { return .failure(ParseError(message: "\"model:\" needs a model or provider, e.g. model:gpt-cloud")) }
                prompt.model = String(model)
            } else if word == "!nocache" {
                prompt.bypassCache = true
            } else {
                break
            }
            words = words.dropFirst()
        }
        prompt.text = words.joined(separator: " ")
        guard !prompt.text.isEmpty else { return .failure(ParseError(message: "type a prompt after the directives (\(syntaxHint))")) }
        return .success(prompt)
    }

    /// The engine request for this prompt, streamed and marked as coming from the console.
    package var request: ChatRequest {
        ChatRequest(
            model: model ?? ChatRequest.automaticModel,
            messages: [ChatMessage(role: .user, content: text)],
            stream: true,
            tenant: tenant,
            options: RequestOptions(cacheLookup: !bypassCache, cacheStore: !bypassCache, forcedTier: tier, origin: .console))
    }

    /// The directives as a short line, e.g. `tenant acme · tier frontier · no cache`.
    package var directiveSummary: String {
        var parts = ["tenant \(tenant)"]
        if let tier { parts.append("tier \(tier)") }
        if let model { parts.append("model \(model)") }
        if bypassCache { parts.append("no cache") }
        return parts.joined(separator: " · ")
    }
}
