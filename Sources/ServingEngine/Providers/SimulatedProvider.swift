import Foundation
import Synchronization

/// A built-in model that needs no network: realistic latency, prices, a concurrency limit and
/// injectable faults, answering with deterministic text derived from the prompt.
///
/// Latencies are log-normal around the configured medians. Beyond `maxConcurrency` calls at
/// once it answers like a real API would: a rate-limit error with a short `Retry-After`. Faults
/// can be changed while it runs, for drills and tests.
package final class SimulatedProvider: FaultInjectable {
    package let name: String
    package let model: String
    private let profile: SimulationProfile
    private let maxConcurrency: Int
    private let state: Mutex<State>

    private struct State {
        var random: SeededRandom
        var faults: FaultProfile
        var inFlight = 0
    }

    /// Creates a simulated provider from its configuration.
    package init(configuration: ProviderConfiguration, seed: UInt64 = 1) {
        name = configuration.name
        model = configuration.model
        profile = configuration.simulation
        maxConcurrency = configuration.maxConcurrency
        state = Mutex(State(random: SeededRandom(seed: seed ^ HashingEmbedder.hash(configuration.name.utf8)), faults: configuration.simulation.faults))
    }

    /// Replaces the injected faults.
    package func setFaults(_ faults: FaultProfile) {
        state.withLock { $0.faults = faults }
    }

    /// The faults in force.
    package var faults: FaultProfile {
        state.withLock { $0.faults }
    }

    /// The calls admitted and not yet finished; at `maxConcurrency` the next call is refused.
    package var callsInFlight: Int {
        state.withLock { $0.inFlight }
    }

    package func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
        .producing { continuation in try await self.run(request, into: continuation) }
    }

    private struct Plan {
        var admitted: Bool
        var fault: ProviderFailure.Kind?
        var firstTokenDelay: Duration
        var tokenDelay: Duration
        var brokenAfter: Int
    }

    private func run(_ request: ProviderRequest, into continuation: AsyncThrowingStream<ProviderChunk, any Error>.Continuation) async throws {
        let words = Self.answer(for: request, provider: name, typicalLength: profile.answerTokens)
        let limit = request.sampling.maxTokens ?? Int.max
        let emitted = Array(words.prefix(limit))
        let plan = makePlan(tokens: emitted.count)
        guard plan.admitted else {
            throw ProviderFailure(.rateLimited, "\(name): \(maxConcurrency) calls already in flight (simulated 429)", retryAfter: .milliseconds(100))
        }
        defer { state.withLock { $0.inFlight -= 1 } }

        switch plan.fault {
        case .connection?:
            throw ProviderFailure(.connection, "\(name): connection refused (simulated)")
        case .rateLimited?:
            try await Task.sleep(for: .milliseconds(5))
            throw ProviderFailure(.rateLimited, "\(name): HTTP 429 Too Many Requests (simulated)", retryAfter: .milliseconds(200))
        case .serverError?:
            try await Task.sleep(for: plan.firstTokenDelay / 2)
            throw ProviderFailure(.serverError, "\(name): HTTP 503 Service Unavailable (simulated)")
        case .badResponse?:
            try await Task.sleep(for: plan.firstTokenDelay)
            throw ProviderFailure(.badResponse, "\(name): response was not valid JSON (simulated)")
        case .timeout?:
            // Never answers; the cascade's timeout cancels this task.
            try await Task.sleep(for: .seconds(3600))
        case .providerRejected?:
            throw ProviderFailure(.providerRejected, "\(name): HTTP 401 invalid API key (simulated)")
        case .requestRejected?:
            throw ProviderFailure(.requestRejected, "\(name): HTTP 400 invalid request (simulated)")
        case .unsupported?:
            throw ProviderFailure(.unsupported, "\(name): cannot carry the request (simulated)")
        case .streamBroken?, nil:
            break
        }

        try await Task.sleep(for: plan.firstTokenDelay)
        for (index, word) in emitted.enumerated() {
            if plan.fault == .streamBroken, index == plan.brokenAfter {
                throw ProviderFailure(.streamBroken, "\(name): stream ended after \(index) tokens (simulated)")
            }
            if index > 0, plan.tokenDelay > .zero { try await Task.sleep(for: plan.tokenDelay) }
            continuation.yield(.text(index == 0 ? word : " " + word))
        }
        let usage = TokenUsage(promptTokens: TokenEstimator.estimate(request.messages), completionTokens: emitted.count)
        continuation.yield(.finished(emitted.count < words.count ? .length : .stop, usage))
    }

    private func makePlan(tokens: Int) -> Plan {
        state.withLock { state in
            guard state.inFlight < maxConcurrency else {
                return Plan(admitted: false, fault: nil, firstTokenDelay: .zero, tokenDelay: .zero, brokenAfter: 0)
            }
            state.inFlight += 1
            let faults = state.faults
            var fault: ProviderFailure.Kind?
            if faults.errorRate > 0, !faults.kinds.isEmpty, state.random.unit() < faults.errorRate {
                fault = faults.kinds[Int(state.random.next() % UInt64(faults.kinds.count))]
            }
            let slowdown = max(faults.slowdown, 0)
            let ttft = profile.timeToFirstToken * (slowdown * exp(profile.spread * state.random.normal()))
            // Token pacing varies less than queueing delay, so a third of the spread.
            let perToken = profile.timePerToken * (slowdown * exp(profile.spread / 3 * state.random.normal()))
            let brokenAfter = tokens > 1 ? 1 + Int(state.random.next() % UInt64(tokens - 1)) : 0
            return Plan(admitted: true, fault: fault, firstTokenDelay: ttft, tokenDelay: perToken, brokenAfter: brokenAfter)
        }
    }

    /// The deterministic answer words for a request: the same prompt always gets the same text.
    static func answer(for request: ProviderRequest, provider: String, typicalLength: Int) -> [String] {
        let prompt = request.messages.last(where: { $0.role == .user })?.content ?? ""
        var random = SeededRandom(seed: HashingEmbedder.hash(PromptNormalizer.normalize(prompt).utf8))
        let length = max(4, typicalLength / 2 + Int(random.next() % UInt64(max(typicalLength, 1))))
        let topic = PromptNormalizer.words(prompt).filter { $0.count > 3 && !HashingEmbedder.stopWords.contains($0) }.prefix(3)
        var words = ["[simulated", "\(provider)]"]
        if !topic.isEmpty { words += ["On"] + topic.map { $0 } + ["—"] }
        while words.count < length {
            words.append(vocabulary[Int(random.next() % UInt64(vocabulary.count))])
        }
        words[words.count - 1] += "."
        return words
    }

    static let vocabulary = [
        "the", "answer", "depends", "on", "context", "and", "in", "practice", "most", "teams", "start",
        "with", "a", "simple", "approach", "then", "measure", "results", "carefully", "before", "adding",
        "complexity", "where", "it", "pays", "off", "consider", "cost", "latency", "quality", "trade-offs",
        "first", "second", "finally", "model", "data", "example", "shows", "that", "this", "works", "well",
    ]
}
