import Foundation

extension ServingEngine {
    /// The evidence known when a request arrives: its prompt, requested model and cache scope.
    static func arrivalEvidence(_ request: ChatRequest) -> DecisionEvidence {
        let (prompt, truncated) = DecisionEvidence.head(request.lastUserPrompt, limit: DecisionEvidence.promptLimit)
        return DecisionEvidence(prompt: prompt, promptTruncated: truncated, requestedModel: request.model, scope: scopeSummary(request))
    }

    /// The cache scope in words: what, besides the prompt, must match for a stored answer to be served.
    static func scopeSummary(_ request: ChatRequest) -> String {
        let scope = CacheScope(request: request)
        var parts = ["tenant \(scope.tenant)", "model \(scope.model.isEmpty ? ChatRequest.automaticModel : scope.model)"]
        let system = request.systemPrompt
        parts.append(system.isEmpty ? "no system prompt" : "system prompt \(system.count) chars #\(String(scope.systemPromptHash, radix: 16).prefix(8))")
        let lastUser = request.messages.lastIndex(where: { $0.role == .user }) ?? request.messages.endIndex
        let earlier = request.messages[..<lastUser].filter { $0.role != .system && $0.role != .developer }.count
        parts.append(earlier == 0 ? "no earlier turns" : "\(earlier) earlier turn\(earlier == 1 ? "" : "s")")
        var sampling: [String] = []
        if let temperature = scope.sampling.temperature { sampling.append("temperature \(temperature)") }
        if let topP = scope.sampling.topP { sampling.append("top_p \(topP)") }
        if let maxTokens = scope.sampling.maxTokens { sampling.append("max_tokens \(maxTokens)") }
        if !scope.sampling.stop.isEmpty { sampling.append("\(scope.sampling.stop.count) stop sequence(s)") }
        parts.append(sampling.isEmpty ? "default sampling" : sampling.joined(separator: " "))
        return parts.joined(separator: " · ")
    }

    /// The threshold the router compared the score with for a scored route: the cheapest tier's
    /// own bound when the score fell under it, else the bound of the tier below, which it went past.
    func routeThreshold(for decision: RouteDecision) -> Double? {
        guard case .scored = decision.method else { return nil }
        let thresholds = router.thresholds
        guard let index = thresholds.firstIndex(where: { $0.tier == decision.tier }) else { return nil }
        return index == 0 ? thresholds[0].upTo : thresholds[index - 1].upTo
    }

    /// The breaker as a call was admitted, in the inspector's words.
    func breakerWord(_ provider: String, isProbe: Bool) -> String {
        if isProbe { return "half-open probe" }
        return health.currentOverride(provider) == .forcedUp ? "forced up (breaker ignored)" : "closed"
    }
}

/// The timings of one request's provider calls, kept while the cascade runs.
struct AttemptLog: Sendable {
    let start: ContinuousClock.Instant
    private(set) var timings: [AttemptTiming] = []
    private var pendingBackoff: Duration?

    init(start: ContinuousClock.Instant) {
        self.start = start
    }

    /// The cascade waited `delay` before its next call.
    mutating func waited(_ delay: Duration) {
        pendingBackoff = (pendingBackoff ?? .zero) + delay
    }

    /// A call to `provider` starts now.
    mutating func started(_ provider: String, breaker: String, at now: ContinuousClock.Instant = .now) {
        let number = timings.filter { $0.provider == provider }.count + 1
        timings.append(AttemptTiming(provider: provider, attempt: number, startOffset: now - start, breaker: breaker, backoff: pendingBackoff))
        pendingBackoff = nil
    }

    /// The last call's first token came `sinceRequestStart` after the request arrived.
    mutating func firstToken(sinceRequestStart: Duration?) {
        guard let sinceRequestStart, !timings.isEmpty else { return }
        timings[timings.count - 1].timeToFirstToken = max(.zero, sinceRequestStart - timings[timings.count - 1].startOffset)
    }
}
