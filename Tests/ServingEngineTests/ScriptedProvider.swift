import Synchronization
@testable import ServingEngine

/// A provider whose every call follows a script, for tests: answer, fail, hang or break mid-stream.
final class ScriptedProvider: ModelProvider {
    enum Step: Sendable {
        case answer(String, finish: FinishReason = .stop)
        case fail(ProviderFailure)
        case hang
        case breakAfter(chunks: [String], ProviderFailure)
        case slowFirstToken(Duration, String)
        /// Sends these chunks as they are (the last should be `.finished`).
        case chunks([ProviderChunk])
    }

    let name: String
    let model: String
    private let script: Mutex<[Step]>
    private let fallback: Step
    private let calls = Mutex(0)
    private let requests = Mutex<[ProviderRequest]>([])

    init(_ name: String, model: String? = nil, script: [Step] = [], otherwise fallback: Step = .answer("default answer")) {
        self.name = name
        self.model = model ?? "\(name)-model"
        self.script = Mutex(script)
        self.fallback = fallback
    }

    var callCount: Int { calls.withLock { $0 } }
    /// The requests it was sent, in order.
    var received: [ProviderRequest] { requests.withLock { $0 } }

    func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
        calls.withLock { $0 += 1 }
        requests.withLock { $0.append(request) }
        let step = script.withLock { $0.isEmpty ? fallback : $0.removeFirst() }
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    switch step {
                    case .answer(let text, let finish):
                        for chunk in AnswerAccumulator.words(of: text) { continuation.yield(.text(chunk)) }
                        continuation.yield(.finished(finish, TokenUsage(promptTokens: 5, completionTokens: 7)))
                    case .fail(let failure):
                        throw failure
                    case .hang:
                        try await Task.sleep(for: .seconds(3600))
                    case .breakAfter(let chunks, let failure):
                        for chunk in chunks { continuation.yield(.text(chunk)) }
                        throw failure
                    case .chunks(let chunks):
                        for chunk in chunks { continuation.yield(chunk) }
                    case .slowFirstToken(let delay, let text):
                        try await Task.sleep(for: delay)
                        continuation.yield(.text(text))
                        continuation.yield(.finished(.stop, nil))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A small configuration over scripted providers: tier `small` = [a, z], tier `frontier` = [b, c, z].
///
/// The provider timeout and the deadline are generous by default: suites run in parallel on two
/// cores, and CPU-bound tests (the index's recall, the router's examples) hold the cooperative
/// pool's threads for seconds, which a 2 s first-token timeout turned into spurious timeouts and
/// retries. Tests about timeouts pass their own.
func testConfiguration(
    timeout: Duration = .seconds(15),
    deadline: Duration = .seconds(40),
    retry: RetryPolicy = RetryPolicy(maxAttemptsPerProvider: 2, baseBackoff: .milliseconds(1), maxBackoff: .milliseconds(5), jitter: 0),
    breaker: CircuitBreaker.Policy = .init(failureThreshold: 100)
) -> EngineConfiguration {
    let names = ["a", "b", "c", "z"]
    return EngineConfiguration(
        source: "test",
        providers: names.map { ProviderConfiguration(name: $0, model: "\($0)-model", pricing: Pricing(inputPerMillion: $0 == "b" || $0 == "c" ? 10 : 1, outputPerMillion: $0 == "b" || $0 == "c" ? 30 : 2), timeout: timeout) },
        tiers: [TierConfiguration(name: "small", chain: ["a", "z"]), TierConfiguration(name: "frontier", chain: ["b", "c", "z"])],
        routerThresholds: [.init(tier: "small", upTo: 0.35), .init(tier: "frontier", upTo: 1)],
        frontierTier: "frontier",
        resilience: ResilienceConfiguration(deadline: deadline, retry: retry, breaker: breaker)
    )
}

/// A prompt the router sends to the frontier tier.
let hardPrompt = "Implement a lock-free queue in Swift and explain why it is correct step by step."
