import ServingEngine

/// The request inspector's text: every part of one decision record as styled lines, wrapped to a
/// width. A pure function of the record, so tests read it without a terminal.
enum RequestInspector {
    /// One line of the inspector.
    struct Line: Sendable, Hashable {
        var text: String
        var role: StyleRole = .mainForeground
        var bold = false
        /// Columns to indent continuation lines by when the text wraps.
        var hangingIndent = 0
    }

    /// The inspector's lines for `record`, wrapped to `width` columns.
    static func lines(for record: DecisionRecord, width: Int, utcOffset: Int = 0) -> [Line] {
        var raw: [Line] = []
        let evidence = record.evidence
        func heading(_ text: String) {
            if !raw.isEmpty { raw.append(Line(text: "")) }
            raw.append(Line(text: text, role: .borderFocus, bold: true))
        }
        func field(_ name: String, _ value: String, role: StyleRole = .mainForeground) {
            raw.append(Line(text: "  \(name.padding(11)) \(value)", role: role, hangingIndent: 14))
        }

        heading("Request #\(record.id)")
        field("received", DisplayFormat.clock(record.receivedAt, offset: utcOffset) + " · origin \(record.origin.rawValue)")
        field("tenant", record.tenant)
        field("model", evidence.requestedModel.isEmpty ? "(not recorded)" : evidence.requestedModel)
        field("scope", evidence.scope.isEmpty ? "(not recorded)" : evidence.scope)
        field("status", statusText(record), role: record.status.isSuccess ? (record.isFallback ? .routeFallback : .healthOK) : .healthDown)

        heading("Prompt" + (evidence.promptTruncated ? " (first \(DecisionEvidence.promptLimit) characters)" : ""))
        let prompt = evidence.prompt.isEmpty ? record.promptExcerpt : evidence.prompt
        for paragraph in prompt.split(separator: "\n", omittingEmptySubsequences: false) {
            raw.append(Line(text: "  " + paragraph, hangingIndent: 2))
        }

        heading("Cache · \(record.cache.label)")
        switch record.cache {
        case .bypass: field("lookup", "skipped: the request asked not to use the cache")
        case .disabled: field("lookup", "the cache is off")
        case .unavailable(let reason): field("lookup", reason, role: .healthWarn)
        default: break
        }
        if evidence.cacheCandidates.isEmpty, case .miss = record.cache {
            field("candidates", "none: nothing stored in this scope yet")
        }
        for candidate in evidence.cacheCandidates {
            // The reason carries the numbers the rule compared (cosine, and the verifier's probability).
            let verdict = candidate.taken ? "TAKEN" : "refused"
            raw.append(Line(text: "  \(verdict)  \(candidate.reason)", role: candidate.taken ? .cacheHit : .cacheMiss, bold: candidate.taken, hangingIndent: 4))
            raw.append(Line(text: "    ≈ \(candidate.prompt)", role: .dimForeground, hangingIndent: 6))
        }

        heading("Route · \(record.route.tier)")
        let method: String = switch record.route.method {
        case .scored: "scored by the router"
        case .explicitModel(let model): "the client asked for '\(model)'"
        case .forcedTier: "tier forced by the operator"
        case .semanticRoute(let name, let similarity): "semantic route '\(name)' (similarity \(DisplayFormat.score(similarity)))"
        }
        field("how", method)
        var score = "score \(DisplayFormat.score(record.route.score))"
        if let threshold = evidence.routeThreshold {
            score += record.route.score <= threshold ? " ≤ threshold \(DisplayFormat.score(threshold))" : " > threshold \(DisplayFormat.score(threshold))"
        }
        field("score", score + " → tier \(record.route.tier)")
        if record.route.reasons.isEmpty {
            field("cues", "no complexity cues")
        } else {
            for reason in record.route.reasons {
                field("cue", "\(reason.feature.padding(12)) +\(DisplayFormat.score(reason.contribution))  \(reason.evidence)")
            }
        }

        heading("Cascade · \(record.attempts.count) attempt\(record.attempts.count == 1 ? "" : "s")")
        if record.attempts.isEmpty {
            field("providers", record.isCacheHit ? "none called: answered from the cache" : "none called")
        }
        var timings = evidence.attempts[...]
        for attempt in record.attempts {
            var line = "  \(attempt.provider)#\(attempt.attempt)".padding(24)
            var role: StyleRole = .mainForeground
            switch attempt.outcome {
            case .succeeded:
                line += " ok"
                role = .healthOK
            case .failed(let failure):
                line += " \(failure.kind.rawValue): \(failure.detail)"
                role = .healthDown
            case .skipped(let reason):
                line += " skipped: \(reason)"
                role = .dimForeground
            }
            var details: [String] = []
            if case .skipped = attempt.outcome {} else {
                if let index = timings.firstIndex(where: { $0.provider == attempt.provider && $0.attempt == attempt.attempt }) {
                    let timing = timings[index]
                    timings = timings[(index + 1)...]
                    if let backoff = timing.backoff { details.append("after backoff \(DisplayFormat.latency(backoff))") }
                    details.append("start +" + (timing.startOffset > .zero ? DisplayFormat.latency(timing.startOffset) : "0ms"))
                    details.append("ttft " + (timing.timeToFirstToken.map(DisplayFormat.latency) ?? "-"))
                    details.append("took \(DisplayFormat.latency(attempt.latency))")
                    details.append("breaker \(timing.breaker)")
                } else {
                    details.append("took \(DisplayFormat.latency(attempt.latency))")
                }
            }
            raw.append(Line(text: line, role: role, hangingIndent: 6))
            if !details.isEmpty { raw.append(Line(text: "      " + details.joined(separator: " · "), role: .dimForeground, hangingIndent: 6)) }
        }

        heading("Answer")
        var totals = "latency \(DisplayFormat.latency(record.latency))"
        if let ttft = record.timeToFirstToken { totals += " · first token \(DisplayFormat.latency(ttft))" }
        field("time", totals)
        field("tokens", "\(record.usage.promptTokens) prompt + \(record.usage.completionTokens) answer = \(record.usage.totalTokens)")
        field("cost", "\(DisplayFormat.usd(record.costUSD)) (frontier-only \(DisplayFormat.usd(record.frontierCostUSD)))")
        if let provider = record.provider { field("from", provider) }
        if evidence.answerHead.isEmpty {
            field("text", "(no answer text)", role: .dimForeground)
        } else {
            for paragraph in evidence.answerHead.split(separator: "\n", omittingEmptySubsequences: false) {
                raw.append(Line(text: "  " + paragraph, hangingIndent: 2))
            }
        }
        return raw.flatMap { wrap($0, width: width) }
    }

    static func statusText(_ record: DecisionRecord) -> String {
        switch record.status {
        case .ok: record.isFallback ? "ok, by fallback" : "ok"
        case .failed(let message): "failed: \(message)"
        case .interrupted(let message): "interrupted: \(message)"
        case .cancelled: "cancelled: the caller went away"
        }
    }

    /// Breaks `line` at spaces (or mid-word when a word is wider than the line) into lines of at
    /// most `width` columns; continuation lines are indented by the line's hanging indent.
    static func wrap(_ line: Line, width: Int) -> [Line] {
        guard width > 4, Canvas.displayWidth(of: line.text) > width else { return [line] }
        let indent = String(repeating: " ", count: min(line.hangingIndent, width / 2))
        var result: [Line] = []
        var remaining = Substring(line.text)
        var available = width
        while Canvas.displayWidth(of: remaining) > available {
            // The longest prefix that fits, then back to its last space (past the indent) if any.
            var used = 0
            var cut = remaining.startIndex
            while cut < remaining.endIndex {
                let next = used + Canvas.displayWidth(of: String(remaining[cut]))
                if next > available { break }
                used = next
                cut = remaining.index(after: cut)
            }
            var breakAt = cut
            if let space = remaining[..<cut].lastIndex(of: " "), remaining.distance(from: remaining.startIndex, to: space) > (result.isEmpty ? line.hangingIndent : 0) {
                breakAt = space
            }
            if breakAt == remaining.startIndex { breakAt = remaining.index(after: breakAt) }
            var piece = line
            piece.text = (result.isEmpty ? "" : indent) + remaining[..<breakAt]
            result.append(piece)
            remaining = remaining[breakAt...].drop { $0 == " " }
            available = width - indent.count
        }
        if !remaining.isEmpty {
            var piece = line
            piece.text = (result.isEmpty ? "" : indent) + remaining
            result.append(piece)
        }
        return result
    }
}

extension String {
    /// Pads with spaces to `width` characters (never cuts).
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
