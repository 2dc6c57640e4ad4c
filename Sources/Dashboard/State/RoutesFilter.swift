package import ServingEngine

/// The Routes pane's filter, parsed from what the operator types after `\`.
///
/// Terms are separated by spaces and must all match. A term is text matched case-insensitively
/// anywhere in the row (tenant, prompt, tier, cache, providers, status, or an event's message);
/// a term with regular-expression characters (`^$.*+?()[]{}|\`) is a regular expression; `!` in
/// front negates a term; `field:value` matches one field by prefix: `tenant:`, `provider:` (any
/// provider tried or answering), `tier:`, `cache:` (`exact`, `semantic`, `hit`, `miss`, `bypass`,
/// `off`, `unavailable`), `status:` (`ok`, `fallback`, `failed`, `interrupted`, `cancelled`,
/// `error`) and `origin:` (`traffic`, `api`, `console`). Field terms never match events.
///
/// ```swift
/// let filter = try RoutesFilter.parse("tenant:acme !cache:hit").get()
/// filter.matches(entry)
/// ```
package struct RoutesFilter: Sendable {
    /// The fields a term can name.
    package enum Field: String, Sendable, Hashable, CaseIterable {
        case tenant, provider, tier, cache, status, origin
    }

    /// One parsed term.
    package struct Term: Sendable {
        /// Whether the term must not match.
        package var negated: Bool
        /// The field it is limited to, or nil for the whole row.
        package var field: Field?
        /// The lower-cased text, when the term is plain text.
        package var text: String
        /// The compiled expression, when the term is a regular expression.
        var regex: CompiledPattern?
    }

    /// A filter line that cannot be used, with what to do about it.
    package struct ParseError: Error, Sendable, Hashable {
        /// The message for the status line.
        package var message: String
    }

    /// What the operator typed.
    package let source: String
    /// The terms, all of which must match.
    package let terms: [Term]

    /// Parses a filter line. An empty line is an error (it means "no filter": clear it instead).
    package static func parse(_ line: String) -> Result<RoutesFilter, ParseError> {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard !words.isEmpty else { return .failure(ParseError(message: "the filter is empty; type text, a regular expression, !negation or field:value")) }
        var terms: [Term] = []
        for word in words {
            var body = Substring(word)
            let negated = body.hasPrefix("!")
            if negated { body = body.dropFirst() }
            var field: Field?
            if let colon = body.firstIndex(of: ":"), colon != body.startIndex {
                let name = body[..<colon].lowercased()
                guard let known = Field(rawValue: name) else {
                    let names = Field.allCases.map { "\($0.rawValue):" }.joined(separator: " ")
                    return .failure(ParseError(message: "unknown filter field '\(name):' in '\(word)'; use one of \(names)"))
                }
                field = known
                body = body[body.index(after: colon)...]
            }
            guard !body.isEmpty else {
                return .failure(ParseError(message: "'\(word)' has nothing to match; write e.g. \(field.map { "\($0.rawValue):NAME" } ?? "!TEXT")"))
            }
            var regex: CompiledPattern?
            if field == nil, body.contains(where: { "^$.*+?()[]{}|\\".contains($0) }) {
                do {
                    regex = CompiledPattern(try Regex(String(body)).ignoresCase())
                } catch {
                    return .failure(ParseError(message: "'\(body)' is not a valid regular expression: \(error)"))
                }
            }
            terms.append(Term(negated: negated, field: field, text: body.lowercased(), regex: regex))
        }
        return .success(RoutesFilter(source: words.joined(separator: " "), terms: terms))
    }

    private init(source: String, terms: [Term]) {
        self.source = source
        self.terms = terms
    }

    /// Whether `entry` passes every term.
    package func matches(_ entry: ActivityEntry) -> Bool {
        switch entry {
        case .event(let event):
            let text = [event.message.lowercased()]
            return terms.allSatisfy { term in
                let hit = term.field == nil && Self.matches(term, text)
                return hit != term.negated
            }
        case .decision(let record):
            var row: [String]?
            return terms.allSatisfy { term in
                let hit: Bool
                if let field = term.field {
                    hit = Self.values(of: field, in: record).contains { $0.hasPrefix(term.text) }
                } else {
                    if row == nil { row = Self.rowFields(record) }
                    hit = Self.matches(term, row!)
                }
                return hit != term.negated
            }
        }
    }

    /// Plain text may match across fields; a regular expression matches within one (so `^` and
    /// `$` anchor to a field, e.g. the start of the prompt).
    private static func matches(_ term: Term, _ fields: [String]) -> Bool {
        if let regex = term.regex { return fields.contains { (try? regex.regex.firstMatch(in: $0)) != nil } }
        return fields.joined(separator: " ").contains(term.text)
    }

    /// What a plain term searches: the row's fields as the pane shows them, lower-cased.
    static func rowFields(_ record: DecisionRecord) -> [String] {
        [record.tenant.lowercased(), record.promptExcerpt.lowercased(), record.route.tier.lowercased()]
            + values(of: .cache, in: record) + values(of: .status, in: record) + values(of: .provider, in: record)
    }

    /// The lower-cased values a field term compares against.
    static func values(of field: Field, in record: DecisionRecord) -> [String] {
        switch field {
        case .tenant: return [record.tenant.lowercased()]
        case .tier: return [record.route.tier.lowercased()]
        case .origin: return [record.origin.rawValue.lowercased()]
        case .provider:
            var names = record.attempts.map { $0.provider.lowercased() }
            if let provider = record.provider { names.append(provider.lowercased()) }
            return names
        case .cache:
            switch record.cache {
            case .exact: return ["exact", "hit"]
            case .semantic: return ["semantic", "hit"]
            case .miss: return ["miss"]
            case .bypass: return ["bypass"]
            case .disabled: return ["off"]
            case .unavailable: return ["unavailable"]
            }
        case .status:
            switch record.status {
            case .ok: return record.isFallback ? ["ok", "fallback"] : ["ok"]
            case .failed: return ["failed", "error"]
            case .interrupted: return ["interrupted", "error"]
            case .cancelled: return ["cancelled"]
            }
        }
    }
}

/// A compiled regular expression: immutable once built, so safe to share although `Regex`'s
/// type-erased output does not say so.
struct CompiledPattern: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>

    init(_ regex: Regex<AnyRegexOutput>) {
        self.regex = regex
    }
}
