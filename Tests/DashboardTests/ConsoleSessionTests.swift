import Dashboard
import Foundation
import ServingEngine
import Synchronization
import Testing

/// The console streams answers into its transcript from a task; the UI only reads copies.
@Suite struct ConsoleSessionTests {
    /// An engine double that streams a scripted answer, or fails.
    final class ScriptedEngine: DashboardEngine {
        let requests = Mutex<[ChatRequest]>([])
        let fail: Bool

        init(fail: Bool = false) {
            self.fail = fail
        }

        func snapshot(activityLimit: Int) -> EngineSnapshot { Fixtures.snapshot }

        func perform(_ command: OperatorCommand) throws(CommandError) -> String { "ok" }

        func stream(_ request: ChatRequest) -> AsyncThrowingStream<EngineStreamEvent, any Error> {
            requests.withLock { $0.append(request) }
            let fail = self.fail
            return AsyncThrowingStream { continuation in
                if fail {
                    let skipped = ProviderAttempt(provider: "finetuned-local", attempt: 1, outcome: .skipped(.forcedDown), latency: .zero)
                    continuation.finish(throwing: EngineError(.allProvidersFailed, "every provider failed: finetuned-local forced down", attempts: [skipped]))
                    return
                }
                let source = AnswerSource(requestID: "chatcmpl-1", model: "gpt-4o", provider: "gpt-cloud", cache: .miss(bestSimilarity: nil), route: Fixtures.route, attempts: [])
                continuation.yield(.answering(source))
                continuation.yield(.text("Hello, "))
                continuation.yield(.text("operator."))
                guard case .decision(let record) = Fixtures.activity[1] else { return }
                continuation.yield(.finished(.stop, TokenUsage(promptTokens: 3, completionTokens: 3), record))
                continuation.finish()
            }
        }
    }

    func waitUntil(_ session: ConsoleSession, _ condition: (ConsoleExchange) -> Bool) async -> ConsoleExchange? {
        for _ in 0..<200 {
            if let latest = session.current().latest, condition(latest) { return latest }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return session.current().latest
    }

    @Test func streamsTextAndDecisionIntoTheTranscript() async throws {
        let engine = ScriptedEngine()
        let session = ConsoleSession(engine: engine)
        let prompt = try ConsolePrompt.parse("@acme tier:frontier hi").get()
        let number = session.submit(prompt)
        #expect(number == 1)
        let exchange = try #require(await waitUntil(session) { if case .finished = $0.phase { true } else { false } })
        #expect(exchange.answer == "Hello, operator.")
        #expect(exchange.source?.provider == "gpt-cloud")
        #expect(exchange.decision?.provider == "gpt-cloud")
        let sent = try #require(engine.requests.withLock { $0.first })
        #expect(sent.tenant == "acme" && sent.options.forcedTier == "frontier" && sent.options.origin == .console)
    }

    @Test func failuresKeepTheMessageAndAttempts() async throws {
        let session = ConsoleSession(engine: ScriptedEngine(fail: true))
        session.submit(ConsolePrompt(text: "hi"))
        let exchange = try #require(await waitUntil(session) { if case .failed = $0.phase { true } else { false } })
        guard case .failed(let message) = exchange.phase else { return }
        #expect(message.contains("every provider failed"))
        #expect(exchange.failedAttempts.count == 1)
        // The Console pane shows the attempts and the error.
        let lines = ConsolePaneProbe.routeText(exchange)
        #expect(lines.contains("finetuned-local skipped: forced down") && lines.contains("error: every provider failed"))
    }

    @Test func transcriptIsBounded() {
        var transcript = ConsoleTranscript()
        for index in 0..<50 { transcript.begin(ConsolePrompt(text: "p\(index)")) }
        #expect(transcript.exchanges.count == transcript.limit)
        #expect(transcript.latest?.number == 50)
    }
}

/// Renders the Console pane for one exchange and returns its text.
enum ConsolePaneProbe {
    static func routeText(_ exchange: ConsoleExchange) -> String {
        var transcript = ConsoleTranscript()
        let number = transcript.begin(exchange.prompt)
        transcript.update(number) { $0 = ConsoleExchange(number: number, prompt: exchange.prompt, phase: exchange.phase, source: exchange.source, answer: exchange.answer, decision: exchange.decision, failedAttempts: exchange.failedAttempts) }
        let frame = DashboardFrame(snapshot: Fixtures.snapshot, state: DashboardState(width: 160, height: 48), console: transcript)
        var canvas = Canvas(width: 158, height: 12)
        DashboardRenderer.draw(.console, frame: frame, in: canvas.bounds, on: &canvas)
        return canvas.text
    }
}
