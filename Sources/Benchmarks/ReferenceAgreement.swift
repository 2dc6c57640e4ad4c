import Foundation
package import ServingEngine

/// How closely a `minilm` model's embeddings match the reference implementation's, on the fixture
/// `scripts/make-minilm-fixture.py` wrote (`Tests/ServingEngineTests/Fixtures/minilm-reference.json`):
/// the figure each kernel path must keep at ≥ 0.999, printed by `bench embed` beside its speed.
package struct ReferenceAgreement: Sendable {
    /// Sentences compared.
    package var sentences: Int
    /// The lowest cosine similarity between an embedding and the reference's.
    package var minimumCosine: Double
    /// The mean of those similarities.
    package var meanCosine: Double

    private struct Fixture: Decodable {
        struct Sentence: Decodable {
            var text: String
            var embedding: [Float]
        }
        var sentences: [Sentence]
    }

    /// The model's agreement with the fixture at `path`, embedding every sentence in one batch.
    /// - Throws: An error naming the file when it cannot be read or is not the fixture's format.
    package static func measure(model: MiniLMEmbedder, path: String) throws -> ReferenceAgreement {
        let fixture: Fixture
        do {
            fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ReferenceFixtureError(path: path, reason: String(describing: error))
        }
        let vectors = model.vectors(forTokens: fixture.sentences.map { model.tokenizer.tokenIDs($0.text) })
        let cosines = zip(fixture.sentences, vectors).map { sentence, vector in cosine(vector, sentence.embedding) }
        return ReferenceAgreement(sentences: cosines.count, minimumCosine: cosines.min() ?? 0, meanCosine: cosines.reduce(0, +) / Double(max(cosines.count, 1)))
    }

    private static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for index in a.indices where index < b.count {
            dot += Double(a[index]) * Double(b[index])
            na += Double(a[index]) * Double(a[index])
            nb += Double(b[index]) * Double(b[index])
        }
        return dot / max((na * nb).squareRoot(), 1e-30)
    }
}

/// The reference fixture could not be read.
package struct ReferenceFixtureError: Error, CustomStringConvertible {
    package var path: String
    package var reason: String
    package var description: String {
        "cannot read the reference fixture \(path) (\(reason)); pass --reference with the path of minilm-reference.json, or --reference none to skip the comparison"
    }
}
