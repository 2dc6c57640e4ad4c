@testable import Evaluation
import Foundation
@testable import ServingEngine
import Testing

@Suite("Router evaluation")
struct RouterEvaluatorTests {
    typealias Example = RouterEvaluationData.Example

    /// Four prompts: the strong model wins on two, both models agree on the other two.
    /// Weak quality 0.25 (only d), strong 0.75 (a, b, d), oracle 0.75 at 50 % strong calls.
    let examples = [
        Example(domain: "x", prompt: "a", weakQuality: 0, strongQuality: 1),
        Example(domain: "x", prompt: "b", weakQuality: 0, strongQuality: 1),
        Example(domain: "y", prompt: "c", weakQuality: 0, strongQuality: 0),
        Example(domain: "y", prompt: "d", weakQuality: 1, strongQuality: 1),
    ]

    @Test func aRouterThatRanksTheWinnersFirstRecoversTheGapWithHalfTheCalls() throws {
        let evaluation = try RouterEvaluator.evaluate(examples, scores: [0.9, 0.8, 0.2, 0.1])
        #expect(evaluation.weakQuality == 0.25)
        #expect(evaluation.strongQuality == 0.75)
        #expect(evaluation.oracleQuality == 0.75)
        #expect(evaluation.oracleStrongShare == 0.5)
        #expect(evaluation.cpt50 == 0.25)
        #expect(evaluation.cpt80 == 0.4)
        // Gap recovered: 0 → 1 linearly over the first half, then 1: area 0.25 + 0.5.
        #expect(abs(evaluation.apgr - 0.75) < 1e-12)
        #expect(evaluation.curve.first == .init(strongShare: 0, quality: 0.25))
        #expect(evaluation.curve[50].quality == 0.75)
    }

    @Test func aConstantScoreIsExactlyARandomRouter() throws {
        let evaluation = try RouterEvaluator.evaluate(examples, scores: [0.5, 0.5, 0.5, 0.5])
        #expect(abs(evaluation.apgr - 0.5) < 1e-12)
        #expect(abs(evaluation.cpt50 - 0.5) < 1e-12)
        #expect(abs(evaluation.cpt80 - 0.8) < 1e-12)
    }

    @Test func aBackwardRouterDoesWorseThanRandom() throws {
        let evaluation = try RouterEvaluator.evaluate(examples, scores: [0.1, 0.2, 0.8, 0.9])
        #expect(abs(evaluation.apgr - 0.25) < 1e-12)
        #expect(evaluation.cpt50 == 0.75)
    }

    @Test func dataWithNoGapIsRejectedWithAReason() {
        let flat = [Example(domain: "x", prompt: "a", weakQuality: 1, strongQuality: 1), Example(domain: "x", prompt: "b", weakQuality: 0, strongQuality: 0)]
        #expect(throws: EvaluationError.self) { try RouterEvaluator.evaluate(flat, scores: [1, 0]) }
    }

    @Test func csvWithQuotedMultiLinePromptsParses() throws {
        let csv = "domain,prompt,weak_correct,strong_correct\nmath,\"What is 1+1?\nA. 2\nB. \"\"3\"\"\",1,1\nlaw,plain,0,1\n"
        let data = try RouterEvaluationData.parseCSV(csv, source: "t.csv")
        #expect(data.examples.count == 2)
        #expect(data.examples[0].prompt == "What is 1+1?\nA. 2\nB. \"3\"")
        #expect(data.examples[1].strongWins)
    }

    @Test func aBadCSVRowNamesItsLine() {
        let csv = "domain,prompt,weak_correct,strong_correct\nmath,ok,1,1\nlaw,\"two\nlines\",yes,1\n"
        #expect {
            try RouterEvaluationData.parseCSV(csv, source: "t.csv")
        } throws: { error in
            (error as? EvaluationError)?.message.hasPrefix("t.csv:3: weak_correct and strong_correct must be 0 or 1") == true
        }
    }

    @Test func mtBenchLinesUseTurnOneAndSkipContaminatedRows() throws {
        let jsonl = """
            {"question_id": 1, "category": "math", "turn1": "Solve x", "contaminated": 0, "weak_score_turn1": 1.0, "strong_score_turn1": 10}
            {"question_id": 2, "category": "writing", "turn1": "Write", "contaminated": 1, "weak_score_turn1": 5, "strong_score_turn1": 6}
            """
        let data = try RouterEvaluationData.parseJSONLines(jsonl, source: "m.jsonl")
        #expect(data.examples == [Example(domain: "math", prompt: "Solve x", weakQuality: 0, strongQuality: 1)])
    }
}

@Suite("Learned router")
struct LearnedRouterTests {
    /// Compound numeric judgements need the strong model; short plain questions do not: learnable by construction.
    func data() -> [RouterEvaluationData.Example] {
        (0..<40).map { index in
            index % 2 == 0
                ? .init(domain: "hard", prompt: Self.hard(index), weakQuality: 0, strongQuality: 1)
                : .init(domain: "easy", prompt: Self.easy(index), weakQuality: 1, strongQuality: 1)
        }
    }

    /// A compound judgement with numeric options: the shape the router learns is hard.
    static func hard(_ index: Int) -> String {
        "Statement 1 | Every group of order \(index) is cyclic. Statement 2 | Compute x^2 + \(index) = 0 over Z_7.\nA. 1, 2\nB. 3, 4\nC. 5, 6\nD. 0, 1\nAnswer:"
    }

    /// A short plain question: the shape the router learns is easy.
    static func easy(_ index: Int) -> String {
        "Which colour is the sky on day \(index)?"
    }

    @Test func trainingIsDeterministicAndLearnsASeparableRule() throws {
        let trainer = RouterTrainer()
        let first = try trainer.train(data(), source: "synthetic", heldOut: [])
        let second = try trainer.train(data(), source: "synthetic", heldOut: [])
        #expect(first == second)
        #expect(first.probability(for: Self.hard(99)) > 0.7)
        #expect(first.probability(for: Self.easy(99)) < 0.3)
        let evaluation = try RouterEvaluator.evaluate(data(), scores: data().map { first.probability(for: $0.prompt) })
        #expect(evaluation.apgr > 0.7)
    }

    @Test func aModelFileRoundTripsAndAWrongVersionIsRefused() throws {
        let model = try RouterTrainer().train(data(), source: "synthetic", heldOut: ["x"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("router-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(path: path)
        #expect(try LearnedRouterModel.load(path: path) == model)
        var old = model
        old.version = 0
        try old.save(path: path)
        #expect(throws: EvaluationError.self) { try LearnedRouterModel.load(path: path) }
    }
}
