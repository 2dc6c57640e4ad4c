@testable import Evaluation
import Foundation
@testable import ServingEngine
import Testing

@Suite("Cache evaluation")
struct CacheEvaluationTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pairs-\(UUID().uuidString).tsv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func pairsAreScoredAsCorrectWrongAndMissedByConstruction() async throws {
        let path = try write("""
            id\ttext_a\ttext_b\tlabel
            1\tHow do I bake sourdough bread?\thow do I bake sourdough bread\t1
            2\tWhat is the tallest mountain on Earth?\tExplain quantum entanglement to a child\t1
            3\tBest laptop for programming\tBest laptop for programming\t0
            4\tHow do volcanoes form?\tWho painted the Mona Lisa?\t0

            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let evaluation = try await CacheEvaluation.pairs(path: path, embedder: HashingEmbedder())
        let point = evaluation.at(0.9)
        #expect(evaluation.queries == 4)
        #expect(point.correct == 1, "pair 1 differs only in case and punctuation")
        #expect(point.wrong == 1, "pair 3 is labelled different but is the same text: a false hit")
        #expect(evaluation.at(0.0).wrong == 2, "at threshold 0 every label-0 pair is a false hit")
        #expect(point.missed == 1, "pair 2 is labelled same but shares no words")
        #expect(point.precision == 0.5)
        #expect(point.recall == 0.5)
        #expect(point.falseHitRate == 0.5)
    }

    @Test func positivesCountAHitOnARepeatedOriginAsCorrect() async throws {
        let path = try write("""
            id\torigin\tsimilar
            1\tWhat is a Bloom filter?\twhat is a bloom filter
            2\tWhat is a Bloom filter?\tWhat is a Bloom filter
            3\tHow does TCP slow start work?\tWhy is the sky blue?

            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let evaluation = try await CacheEvaluation.positives(path: path, embedder: HashingEmbedder())
        let point = evaluation.at(0.9)
        #expect(point.correct == 2)
        #expect(point.wrong == 0)
        #expect(point.missed == 1)
    }

    @Test func aWrongHeaderOrFieldCountNamesTheLine() async throws {
        let path = try write("id\ttext_a\ttext_b\tlabel\n1\tonly two\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        await #expect {
            try await CacheEvaluation.pairs(path: path, embedder: HashingEmbedder())
        } throws: { error in
            (error as? EvaluationError)?.message == "\(path):2: expected 4 TAB-separated fields, got 2"
        }
    }
}
