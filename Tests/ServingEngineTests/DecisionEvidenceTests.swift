import Testing
@testable import ServingEngine

/// The decision record carries what the request inspector shows: prompt and scope, the cache
/// candidate and why it was taken or refused, the router's threshold, and each call's timing.
@Suite("Decision evidence")
struct DecisionEvidenceTests {
    func engine(_ providers: [ScriptedProvider]) throws -> ServingEngine {
        let named = Dictionary(uniqueKeysWithValues: providers.map { ($0.name, $0) })
        return try ServingEngine(configuration: testConfiguration(), providers: ["a", "b", "c", "z"].map { named[$0] ?? ScriptedProvider($0) })
    }

    @Test func aMissRecordsThePromptScopeThresholdAttemptsAndTheAnswersHead() async throws {
        let engine = try engine([ScriptedProvider("a", script: [.answer("Paris is the capital.")])])
        var request = ChatRequest(prompt: "What is the capital of France?")
        request.tenant = "acme"
        let decision = try await engine.complete(request).decision
        let evidence = decision.evidence
        #expect(evidence.prompt == "What is the capital of France?")
        #expect(!evidence.promptTruncated)
        #expect(evidence.scope.hasPrefix("tenant acme · model auto"))
        #expect(evidence.cacheCandidates.isEmpty, "an empty cache has nothing to compare")
        #expect(evidence.routeThreshold == 0.35)
        #expect(evidence.attempts.map(\.provider) == ["a"])
        #expect(evidence.attempts[0].breaker == "closed")
        #expect(evidence.attempts[0].backoff == nil)
        #expect(evidence.attempts[0].timeToFirstToken != nil)
        #expect(evidence.answerHead == "Paris is the capital.")
    }

    @Test func retriesRecordTheirBackoffAndStartAfterTheFirstCall() async throws {
        let b = ScriptedProvider("b", script: [.fail(ProviderFailure(.serverError, "HTTP 503"))], otherwise: .answer("b recovered"))
        let decision = try await engine([b]).complete(ChatRequest(prompt: hardPrompt)).decision
        let timings = decision.evidence.attempts
        #expect(timings.map(\.attempt) == [1, 2])
        #expect(timings[0].backoff == nil)
        #expect(timings[1].backoff != nil, "the second call waited out the retry backoff")
        #expect(timings[1].startOffset > timings[0].startOffset)
        #expect(decision.evidence.routeThreshold == 0.35, "the top tier shows the bound it went past")
        #expect(decision.route.score > 0.35)
    }

    @Test func aCacheHitNamesTheCandidateAndWhyItWasTaken() async throws {
        let engine = try engine([ScriptedProvider("a", script: [.answer("Paris.")])])
        _ = try await engine.complete(ChatRequest(prompt: "What is the capital of France?"))
        let exact = try await engine.complete(ChatRequest(prompt: "what is the capital of france")).decision
        #expect(exact.evidence.cacheCandidates.count == 1)
        #expect(exact.evidence.cacheCandidates[0].taken)
        #expect(exact.evidence.cacheCandidates[0].reason.contains("exact match"))
        #expect(exact.evidence.answerHead == "Paris.")
        let near = try await engine.complete(ChatRequest(prompt: "What is the capital of France, please?")).decision
        let candidate = try #require(near.evidence.cacheCandidates.first)
        #expect(candidate.prompt == "What is the capital of France?")
        #expect(candidate.taken == near.cache.isHit)
        #expect(candidate.reason.contains(candidate.taken ? "≥ threshold" : "< threshold"), "the reason agrees with the verdict: \(candidate.reason)")
    }

    @Test func aLongPromptIsKeptUpToItsLimit() async throws {
        let engine = try engine([ScriptedProvider("a")])
        let long = String(repeating: "word ", count: 3_000)
        let decision = try await engine.complete(ChatRequest(prompt: long, model: "small")).decision
        #expect(decision.evidence.prompt.count == DecisionEvidence.promptLimit)
        #expect(decision.evidence.promptTruncated)
        #expect(decision.evidence.routeThreshold == nil, "a named tier was not compared with a threshold")
    }
}
