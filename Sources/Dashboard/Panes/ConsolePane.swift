import ServingEngine

/// The prompt line, the directive syntax, and the latest answer streaming with exactly what the
/// engine did: cache result, score and reasons, tier, each attempt, latency and cost.
enum ConsolePane {
    static func draw(_ frame: DashboardFrame, in rect: Rect, focused: Bool, on canvas: inout Canvas) {
        let typing = frame.state.mode == .typing
        canvas.box(rect, title: PaneID.console.title, focused: focused, badge: typing ? "typing · Esc leaves" : "/ to type")
        let inner = rect.inset(by: 1)
        guard inner.height >= 1, inner.width >= 10 else { return }
        let roomy = inner.height >= 6
        var y = inner.y
        drawInput(frame.state.editor, typing: typing, in: Rect(x: inner.x, y: y, width: inner.width, height: 1), showHint: !roomy, on: &canvas)
        y += 1
        if roomy {
            canvas.put("prefix: " + ConsolePrompt.syntaxHint + "   e.g. @acme tier:frontier !nocache explain TCP slow start   ·   " + ConsoleCommand.syntaxHint, at: inner.x, y, style: CellStyle(.dimForeground), limit: inner.width)
            y += 1
        }
        guard y < inner.maxY else { return }
        guard let exchange = frame.console.latest else {
            canvas.put("answers stream here, with the route the engine took", at: inner.x, y, style: CellStyle(.dimForeground), limit: inner.width)
            return
        }
        // The prompt and its directives.
        var x = canvas.put("#\(exchange.number) ", at: inner.x, y, style: CellStyle(.dimForeground))
        x = canvas.put(exchange.prompt.text, at: x, y, style: CellStyle(.highlightForeground, attributes: [.bold]), limit: max(10, inner.maxX - x - 40))
        canvas.put("  " + exchange.prompt.directiveSummary, at: x, y, style: CellStyle(.dimForeground), limit: inner.maxX - x)
        y += 1
        for line in routeLines(exchange, glyphs: canvas.glyphs, merged: !roomy) where y < inner.maxY {
            var x = inner.x
            for (text, role) in line {
                x = canvas.put(text, at: x, y, style: CellStyle(role), limit: inner.maxX - x)
            }
            y += 1
        }
        guard y < inner.maxY else { return }
        let answerLines = wrap(exchange.answer.isEmpty ? placeholder(exchange) : exchange.answer, width: inner.width)
        let room = inner.maxY - y
        // Keep the end of a long answer in view while it streams.
        for line in answerLines.suffix(room) {
            canvas.put(line, at: inner.x, y, style: CellStyle(exchange.answer.isEmpty ? .dimForeground : .mainForeground), limit: inner.width)
            y += 1
        }
    }

    private static func placeholder(_ exchange: ConsoleExchange) -> String {
        switch exchange.phase {
        case .waiting: "waiting for the engine…"
        case .streaming: "answer starting…"
        case .finished: "(empty answer)"
        case .failed(let message): "error: \(message)"
        }
    }

    private static func drawInput(_ editor: LineEditor, typing: Bool, in rect: Rect, showHint: Bool, on canvas: inout Canvas) {
        let prompt = canvas.glyphs.isUnicode ? "› " : "> "
        var x = canvas.put(prompt, at: rect.x, rect.y, style: CellStyle(typing ? .borderFocus : .dimForeground, attributes: [.bold]))
        let room = rect.maxX - x - 1
        let characters = editor.characters
        // Scroll so the cursor stays visible.
        let start = max(0, editor.cursor - room + 1)
        let visible = characters[start..<min(characters.count, start + room)]
        if visible.isEmpty && !typing {
            canvas.put(showHint ? ConsolePrompt.syntaxHint : "press / or : to type a prompt", at: x, rect.y, style: CellStyle(.dimForeground), limit: room)
            return
        }
        for (offset, character) in visible.enumerated() {
            let isCursor = typing && start + offset == editor.cursor
            x = canvas.put(String(character), at: x, rect.y, style: CellStyle(.highlightForeground, attributes: isCursor ? [.reverse] : []), limit: rect.maxX - x)
        }
        if typing && editor.cursor == characters.count {
            x = canvas.put(" ", at: x, rect.y, style: CellStyle(.highlightForeground, attributes: [.reverse]), limit: rect.maxX - x)
        }
        if showHint && characters.isEmpty {
            canvas.put("  " + ConsolePrompt.syntaxHint, at: x, rect.y, style: CellStyle(.dimForeground), limit: rect.maxX - x)
        }
    }

    /// What the engine did, as coloured segments per line.
    static func routeLines(_ exchange: ConsoleExchange, glyphs: BoxGlyphs, merged: Bool) -> [[(String, StyleRole)]] {
        let cache: CacheOutcome?
        let route: RouteDecision?
        let attempts: [ProviderAttempt]
        if let decision = exchange.decision {
            cache = decision.cache
            route = decision.route
            attempts = decision.attempts
        } else if let source = exchange.source {
            cache = source.cache
            route = source.route
            attempts = source.attempts + (source.provider.map { [ProviderAttempt(provider: $0, attempt: 1, outcome: .succeeded, latency: .zero)] } ?? [])
        } else {
            cache = nil
            route = nil
            attempts = exchange.failedAttempts
        }
        var first: [(String, StyleRole)] = []
        if let cache {
            let (label, role) = RoutesPane.cacheLabel(cache, short: false)
            first.append(("cache ", .dimForeground))
            first.append((label, role))
            switch cache {
            case .semantic(let similarity, let matched): first.append((" (\(DisplayFormat.score(similarity)) ≈ \"\(matched)\")", .dimForeground))
            case .miss(let best?): first.append((" (best \(DisplayFormat.score(best)))", .dimForeground))
            default: break
            }
        }
        if let route {
            first.append(("  score ", .dimForeground))
            first.append((DisplayFormat.score(route.score), .highlightForeground))
            first.append((" \(glyphs.arrow) tier ", .dimForeground))
            first.append((route.tier, .highlightForeground))
            let method: String = switch route.method {
            case .scored: route.reasonSummary
            case .explicitModel(let model): "model \(model) named"
            case .forcedTier: "tier forced"
            case .semanticRoute(let name, let similarity): "route \(name), similarity \(DisplayFormat.score(similarity))"
            }
            first.append(("  (\(method))", .dimForeground))
            if let budget = route.budget { first.append(("  \(budget.summary)", .healthWarn)) }
        }
        var second: [(String, StyleRole)] = []
        for (index, attempt) in attempts.enumerated() {
            if index > 0 { second.append((" \(glyphs.arrow) ", .dimForeground)) }
            let role: StyleRole = switch attempt.outcome {
            case .succeeded: exchange.decision?.isFallback == true ? .routeFallback : .routePrimary
            case .failed: .healthDown
            case .skipped: .dimForeground
            }
            second.append((attempt.summary, role))
        }
        if attempts.isEmpty, cache?.isHit == true { second.append(("answered from the cache", .cacheHit)) }
        if let decision = exchange.decision {
            second.append(("  \(DisplayFormat.latency(decision.latency))", ProvidersPane.latencyRole(decision.latency)))
            if let ttft = decision.timeToFirstToken { second.append((" (first token \(DisplayFormat.latency(ttft)))", .dimForeground)) }
            second.append(("  \(DisplayFormat.usd(decision.costUSD))", .mainForeground))
            second.append(("  \(decision.usage.totalTokens) tok", .dimForeground))
        }
        if case .failed(let message) = exchange.phase {
            second.append(("  error: \(message)", .healthDown))
        }
        if merged { return [first + [("  ", .dimForeground)] + second] }
        return [first, second].filter { !$0.isEmpty }
    }

    /// Word-wraps `text` to `width` columns, keeping explicit line breaks.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                let wordWidth = Canvas.displayWidth(of: word)
                if lineWidth > 0 && lineWidth + 1 + wordWidth > width {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                if lineWidth > 0 {
                    line += " "
                    lineWidth += 1
                }
                line += word
                lineWidth += wordWidth
            }
            lines.append(line)
        }
        return lines
    }
}
