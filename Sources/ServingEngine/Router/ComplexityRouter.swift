import Foundation

/// Scores a prompt's complexity in [0, 1] from transparent cues and picks a tier by threshold.
///
/// Each cue adds a bounded amount to a raw score: length, code, maths, multi-step reasoning
/// language, several questions at once, conversation depth and a large requested output. The
/// raw score is squashed with `1 - exp(-raw)` so that cues add up with diminishing returns and
/// the result stays in [0, 1]. Every contribution is returned as a ``RouteReason``.
public struct ComplexityRouter: Sendable {
    /// A tier and the highest score it takes; tiers are tried in ascending order of `upTo`.
    public struct Threshold: Sendable, Hashable, Codable {
        /// The tier's name.
        public var tier: String
        /// The highest score (inclusive) that goes to this tier.
        public var upTo: Double

        /// Creates a threshold.
        public init(tier: String, upTo: Double) {
            self.tier = tier
            self.upTo = upTo
        }
    }

    /// Tier thresholds in ascending order; the last one takes every score above the others.
    public let thresholds: [Threshold]

    /// Creates a router; `thresholds` must not be empty.
    public init(thresholds: [Threshold]) {
        precondition(!thresholds.isEmpty, "a router needs at least one tier")
        self.thresholds = thresholds.sorted { $0.upTo < $1.upTo }
    }

    /// Scores `request` and picks its tier.
    public func route(_ request: ChatRequest) -> RouteDecision {
        let (score, reasons) = Self.score(request)
        let tier = thresholds.first(where: { score <= $0.upTo })?.tier ?? thresholds[thresholds.count - 1].tier
        return RouteDecision(score: score, reasons: reasons, tier: tier, method: .scored)
    }

    /// The complexity score of `request` and the reasons behind it.
    public static func score(_ request: ChatRequest) -> (Double, [RouteReason]) {
        let prompt = request.lastUserPrompt
        let text = PromptBytes(prompt)
        var reasons: [RouteReason] = []

        let tokens = TokenEstimator.estimate(prompt)
        if tokens > 24 {
            let contribution = min(0.6, Double(tokens - 24) / 400)
            reasons.append(RouteReason(feature: "length", contribution: contribution, evidence: "\(tokens) tokens"))
        }
        let code = PromptBytes.matches(text.words, codeCueBytes)
        let symbols = PromptBytes.matches(text.raw, codeSymbolBytes)
        let fences = PromptBytes.contains(text.raw, fenceBytes) ? 2 : 0
        let codeHits = code.count + symbols.count + fences
        if codeHits > 0 {
            reasons.append(RouteReason(feature: "code", contribution: min(0.9, 0.35 * Double(codeHits)), evidence: code.first ?? symbols.first ?? "code block"))
        }
        let maths = PromptBytes.matches(text.words, mathCueBytes)
        let mathHits = maths.count + (text.containsEquation ? 1 : 0)
        if mathHits > 0 {
            reasons.append(RouteReason(feature: "maths", contribution: min(0.8, 0.3 * Double(mathHits)), evidence: maths.first ?? "equation"))
        }
        let reasoning = PromptBytes.matches(text.words, reasoningCueBytes)
        if reasoning.count > 0, let first = reasoning.first {
            reasons.append(RouteReason(feature: "reasoning", contribution: min(1.0, 0.4 * Double(reasoning.count)), evidence: "\"\(first)\""))
        }
        let (questions, enumerated) = text.parts
        let parts = max(questions, enumerated)
        if parts > 1 {
            reasons.append(RouteReason(feature: "multi-part", contribution: min(0.5, 0.15 * Double(parts - 1)), evidence: "\(parts) parts"))
        }
        let turns = request.messages.filter { $0.role == .user }.count
        if turns > 2 {
            reasons.append(RouteReason(feature: "conversation", contribution: min(0.3, 0.05 * Double(turns - 2)), evidence: "\(turns) user turns"))
        }
        if let maxTokens = request.sampling.maxTokens, maxTokens > 1024 {
            reasons.append(RouteReason(feature: "output", contribution: min(0.3, Double(maxTokens - 1024) / 8192), evidence: "max_tokens \(maxTokens)"))
        }
        let total = reasons.reduce(0) { $0 + $1.contribution }
        let score = 1 - exp(-total)
        return ((score * 1000).rounded() / 1000, reasons.sorted { $0.contribution > $1.contribution })
    }

    static let codeCues = [
        "function", "implement", "refactor", "debug", "compile", "stack trace", "regex", "algorithm",
        "python", "swift", "javascript", "typescript", "rust", "golang", "java", "sql", "api", "json",
        "def", "class", "struct", "unit test", "big o", "time complexity", "code", "script", "bug",
    ]
    static let codeSymbols = ["=>", "();", "{}", "c++", "==", "!=", "->", "def ", "return "]
    static let mathCues = [
        "prove", "proof", "integral", "derivative", "equation", "theorem", "probability", "matrix",
        "eigen", "solve for", "calculate", "compute", "optimi", "lemma", "expected value", "variance",
    ]
    static let reasoningCues = [
        "step by step", "explain why", "trade off", "tradeoff", "compare", "analy", "design a",
        "architecture", "pros and cons", "evaluate", "justify", "critique", "plan a", "strategy",
        "in depth", "detailed", "reason about", "what would happen if", "implications",
    ]

    static let codeCueBytes = PromptBytes.wordCues(codeCues)
    static let codeSymbolBytes = PromptBytes.symbolCues(codeSymbols)
    static let mathCueBytes = PromptBytes.wordCues(mathCues)
    static let reasoningCueBytes = PromptBytes.wordCues(reasoningCues)
    static let fenceBytes = Array("```".utf8)
}
