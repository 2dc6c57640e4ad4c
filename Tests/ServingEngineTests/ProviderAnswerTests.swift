import Synchronization
import Testing
import TestSupport
@testable import ServingEngine

/// A provider that answers through ``ModelProvider/answer(_:receive:)`` itself, as the HTTP ones
/// do, and records what the engine did with it.
private final class ReceivingProvider: ModelProvider {
    let name: String
    let model = "receiving-model"
    /// What it sends: text pieces, and before the last one, a wait on `holdBeforeLast` that
    /// cancelling the task does not cut short, like a provider stuck in I/O.
    private let pieces: [String]
    private let holdBeforeLast: Gate?
    private let state = Mutex<(streams: Int, answers: Int, refusal: String?)>((0, 0, nil))

    init(_ name: String, pieces: [String], holdBeforeLast: Gate? = nil) {
        self.name = name
        self.pieces = pieces
        self.holdBeforeLast = holdBeforeLast
    }

    var streams: Int { state.withLock { $0.streams } }
    var answers: Int { state.withLock { $0.answers } }
    /// The error `receive` threw, if the engine stopped it.
    var refusal: String? { state.withLock { $0.refusal } }

    func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
        state.withLock { $0.streams += 1 }
        return .producing { continuation in try await self.answer(request) { continuation.yield($0) } }
    }

    func answer(_ request: ProviderRequest, receive: (ProviderChunk) throws -> Void) async throws {
        state.withLock { $0.answers += 1 }
        do {
            for (position, piece) in pieces.enumerated() {
                if position == pieces.count - 1, let holdBeforeLast { await holdBeforeLast.passed() }
                try receive(.text(piece))
            }
            try receive(.finished(.stop, TokenUsage(promptTokens: 3, completionTokens: pieces.count)))
        } catch {
            state.withLock { $0.refusal = "\(type(of: error))" }
            throw error
        }
    }
}

@Suite("Reading a provider's answer")
struct ProviderAnswerTests {
    static var others: [any ModelProvider] { ["a", "c", "z"].map { ScriptedProvider($0) } }

    @Test func theEngineReadsAProvidersAnswerWithoutAStreamBetween() async throws {
        let provider = ReceivingProvider("b", pieces: ["Fast ", "and ", "direct."])
        let engine = try ServingEngine(configuration: testConfiguration(), providers: Self.others + [provider])
        let response = try await engine.complete(ChatRequest(prompt: hardPrompt))
        #expect(response.text == "Fast and direct.")
        #expect(response.decision.provider == "b")
        #expect(provider.answers == 1)
        #expect(provider.streams == 0)

        var streamed = ""
        for try await event in engine.stream(ChatRequest(prompt: hardPrompt + " again")) {
            if case .text(let piece) = event { streamed += piece }
        }
        #expect(streamed == "Fast and direct.")
        #expect(provider.streams == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aProviderThatIgnoresCancellationHoldsNoRequestPastItsTimeoutAndIsRefusedEveryLatePiece() async throws {
        let stuck = Gate()
        let provider = ReceivingProvider("b", pieces: ["Once ", "upon"], holdBeforeLast: stuck)
        let engine = try ServingEngine(
            configuration: testConfiguration(timeout: .milliseconds(300), retry: RetryPolicy(maxAttemptsPerProvider: 1)),
            providers: Self.others + [provider]
        )
        // Should the engine wait for the stuck provider after all, this opens the gate so that the
        // test fails on the expectation below instead of hanging.
        let backstop = Task {
            try await Task.sleep(for: .seconds(20))
            stuck.open()
        }
        defer { backstop.cancel() }
        var received: [String] = []
        do {
            for try await event in engine.stream(ChatRequest(prompt: hardPrompt)) {
                if case .text(let piece) = event { received.append(piece) }
            }
            Issue.record("an answer that went quiet past its timeout must not end cleanly")
        } catch let error as EngineError {
            #expect(error.code == .interrupted)
            #expect(error.message.contains("no further token"))
        }
        #expect(!stuck.isOpen, "the request must end while its provider is still stuck")
        #expect(received == ["Once "])

        stuck.open()
        // The late piece is refused: the provider's receive throws, so it stops.
        while provider.refusal == nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(provider.refusal == "WatchdogWon")
    }
}
