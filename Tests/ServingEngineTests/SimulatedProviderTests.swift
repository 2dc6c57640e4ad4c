import Testing
@testable import ServingEngine

@Suite("Simulated provider")
struct SimulatedProviderTests {
    func provider(_ faults: FaultProfile = .init(), maxConcurrency: Int = 8) -> SimulatedProvider {
        SimulatedProvider(configuration: ProviderConfiguration(
            name: "sim", model: "sim-1", pricing: .init(inputPerMillion: 1, outputPerMillion: 1), maxConcurrency: maxConcurrency,
            simulation: SimulationProfile(timeToFirstToken: .milliseconds(2), timePerToken: .zero, spread: 0, answerTokens: 12, faults: faults)
        ))
    }

    func collect(_ provider: SimulatedProvider, _ prompt: String, maxTokens: Int? = nil) async throws -> (String, FinishReason?) {
        var text = ""
        var finish: FinishReason?
        let request = ProviderRequest(messages: [ChatMessage(role: .user, content: prompt)], sampling: SamplingParameters(maxTokens: maxTokens), requestID: "t")
        for try await chunk in provider.stream(request) {
            switch chunk {
            case .text(let piece): text += piece
            case .finished(let reason, _): finish = reason
            case .delta, .responseFields: Issue.record("a simulated model only writes text")
            }
        }
        return (text, finish)
    }

    @Test func answersAreDeterministicAndMarkedAsSimulated() async throws {
        let (first, finish) = try await collect(provider(), "Explain photosynthesis")
        let (second, _) = try await collect(provider(), "Explain photosynthesis")
        #expect(first == second)
        #expect(first.hasPrefix("[simulated sim] On explain photosynthesis"))
        #expect(finish == .stop)
    }

    @Test func maxTokensCutsTheAnswerAndSaysSo() async throws {
        let (text, finish) = try await collect(provider(), "Explain photosynthesis", maxTokens: 3)
        #expect(text.split(separator: " ").count == 3)
        #expect(finish == .length)
    }

    @Test func injectedFaultsFailEveryCallAtRateOne() async throws {
        let sim = provider(FaultProfile(errorRate: 1, kinds: [.serverError]))
        await #expect(throws: ProviderFailure.self) { try await collect(sim, "hi") }
        sim.setFaults(FaultProfile())
        _ = try await collect(sim, "hi")
    }

    @Test func beyondItsConcurrencyLimitItAnswersWithARateLimit() async throws {
        let sim = SimulatedProvider(configuration: ProviderConfiguration(
            name: "sim", model: "sim-1", pricing: .init(inputPerMillion: 1, outputPerMillion: 1), maxConcurrency: 1,
            simulation: SimulationProfile(timeToFirstToken: .seconds(3600), timePerToken: .zero, spread: 0)
        ))
        let holder = Task { try await collect(sim, "first") }
        defer { holder.cancel() }
        // Waits on the provider's own count, not a clock, so a starved machine cannot reorder the calls.
        while sim.callsInFlight < 1 { try await Task.sleep(for: .milliseconds(1)) }
        do {
            _ = try await collect(sim, "second")
            Issue.record("expected a rate limit")
        } catch let failure as ProviderFailure {
            #expect(failure.kind == .rateLimited)
            #expect(failure.retryAfter != nil)
        }
    }
}
