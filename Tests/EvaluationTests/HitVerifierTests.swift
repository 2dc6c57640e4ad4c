@testable import Evaluation
import Foundation
@testable import ServingEngine
import Testing

@Suite("Cache hit verifier")
struct HitVerifierTests {
    /// Pairs built so that the cosine cannot tell them apart (every pair has about the same one)
    /// but a changed number or an added negation marks a different request.
    static func syntheticExamples(count: Int) -> [HitVerifierTrainer.Example] {
        let subjects = ["python", "rust", "swift", "piano", "chess", "spanish", "calculus", "welding", "sailing", "baking"]
        var random = SeededRandom(seed: 11)
        return (0..<count).map { index in
            let subject = subjects[index % subjects.count]
            let days = 10 + index % 50
            let stored = "How do I learn \(subject) in \(days) days?"
            let query: String
            let same: Bool
            switch index % 3 {
            case 0: (query, same) = ("What is the best way to learn \(subject) in \(days) days?", true)
            case 1: (query, same) = ("How do I learn \(subject) in \(days + 7) days?", false)
            default: (query, same) = ("How do I not learn \(subject) in \(days) days?", false)
            }
            return .init(stored: stored, query: query, similarity: 0.9 + 0.02 * random.unit(), same: same)
        }
    }

    @Test func trainingIsDeterministic() {
        let examples = Self.syntheticExamples(count: 200)
        let first = HitVerifierTrainer().train(examples, embedder: "test", source: "synthetic", heldOutShare: 0)
        let second = HitVerifierTrainer().train(examples, embedder: "test", source: "synthetic", heldOutShare: 0)
        #expect(first == second)
    }

    @Test func theVerifierSeparatesWhatTheCosineCannot() throws {
        let verifier = HitVerifierTrainer().train(Self.syntheticExamples(count: 400), embedder: "test", source: "synthetic", heldOutShare: 0)
        let probability = try #require(verifier.threshold(forFalseHitRate: 0.02))
        let paraphrase = verifier.probability(similarity: 0.91, query: "What is the best way to learn python in 30 days?", candidate: "How do I learn python in 30 days?")
        let nearMiss = verifier.probability(similarity: 0.91, query: "How do I learn python in 60 days?", candidate: "How do I learn python in 30 days?")
        #expect(paraphrase >= probability)
        #expect(nearMiss < probability)
    }

    @Test func theChosenProbabilityIsTheLeastWhoseBoundMeetsTheTarget() throws {
        let verifier = HitVerifierTrainer().train(Self.syntheticExamples(count: 400), embedder: "test", source: "synthetic", heldOutShare: 0)
        let point = try #require(verifier.calibrationPoint(forFalseHitRate: 0.05))
        #expect(point.falseHitRateUpperBound <= 0.05)
        let lower = verifier.calibration.filter { $0.probability < point.probability }
        #expect(lower.allSatisfy { $0.falseHitRateUpperBound > 0.05 })
    }

    @Test func promptsThatNameDifferentNumbersAreNeverTheSameRequest() {
        let verifier = HitVerifierTrainer().train(Self.syntheticExamples(count: 100), embedder: "test", source: "synthetic", heldOutShare: 0)
        #expect(verifier.probability(similarity: 0.999, query: "Explain topic 2 of the drill", candidate: "Explain topic 3 of the drill") == 0)
        #expect(verifier.probability(similarity: 0.999, query: "List the top 5 risks", candidate: "list the top 5 risks please") > 0)
    }

    @Test func clopperPearsonMatchesTheClosedFormAtZeroSuccesses() {
        // With no successes the bound solves (1 - p)^n = 1 - confidence.
        let bound = ClopperPearson.upperBound(successes: 0, trials: 100, confidence: 0.95)
        #expect(abs(bound - (1 - pow(0.05, 1.0 / 100))) < 1e-6)
        #expect(ClopperPearson.upperBound(successes: 10, trials: 1000, confidence: 0.95) > 0.01)
        #expect(ClopperPearson.upperBound(successes: 10, trials: 1000, confidence: 0.95) < 0.02)
    }

    @Test func aVerifiedCacheRefusesANearMissThatAThresholdWouldServe() async throws {
        let verifier = HitVerifierTrainer().train(Self.syntheticExamples(count: 400), embedder: "hashing", source: "synthetic", heldOutShare: 0)
        let probability = try #require(verifier.threshold(forFalseHitRate: 0.02))
        let plain = SemanticCache(settings: .init(), rule: .threshold(0.5), embedder: HashingEmbedder())
        let verified = SemanticCache(settings: .init(), rule: .verified(.init(verifier: verifier, probability: probability, targetFalseHitRate: 0.02)), embedder: HashingEmbedder())
        let answer = SemanticCache.Answer(text: "Start with the tutorial.", usage: TokenUsage(), provider: "p", model: "m")
        for cache in [plain, verified] {
            cache.store(answer, for: try await cache.key(for: ChatRequest(prompt: "How do I learn python in 30 days?")))
        }
        let nearMiss = ChatRequest(prompt: "How do I learn python in 60 days?")
        guard case .semantic = try await plain.lookup(nearMiss) else {
            Issue.record("the fixed threshold of 0.5 should serve the near miss")
            return
        }
        guard case .miss = try await verified.lookup(nearMiss) else {
            Issue.record("the verified rule must not serve the near miss")
            return
        }
    }

    @Test func aSavedVerifierLoadsAndADamagedOneIsAClearError() throws {
        let verifier = HitVerifierTrainer().train(Self.syntheticExamples(count: 100), embedder: "test", source: "synthetic", heldOutShare: 0)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("verifier-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try verifier.write(to: path)
        #expect(try HitVerifier.load(path: path) == verifier)
        try "{\"version\": 1}".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try HitVerifier.load(path: path)
        } throws: { error in
            (error as? EvaluationError)?.message.contains("not a cache verifier file") == true
        }
    }

    @Test func theDecisionRuleIsResolvedForTheLiveEmbedder() throws {
        let automatic = try CacheDecisionConfiguration().resolve(for: "hashing", file: "test")
        #expect(automatic == .threshold(0.95), "no verifier ships for hashing, so auto keeps the threshold")
        #expect {
            _ = try CacheDecisionConfiguration(kind: .verified).resolve(for: "hashing", file: "test")
        } throws: { error in "\(error)".contains("no verifier ships for the hashing embedder") }
    }
}
