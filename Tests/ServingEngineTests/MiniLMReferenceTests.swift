import Foundation
import Testing
@testable import ServingEngine

/// The `minilm` embedder against the reference implementation (fixture made by
/// scripts/make-minilm-fixture.py): token ids exactly, embeddings at cosine ≥ 0.999 on every
/// kernel path (the AVX512_BF16 one only where the CPU has it).
/// Needs the weights: scripts/setup runs scripts/fetch-minilm.sh when they are missing.
@Suite("MiniLM against the reference")
struct MiniLMReferenceTests {
    struct Fixture: Decodable {
        struct Sentence: Decodable {
            var text: String
            var ids: [Int32]
            var embedding: [Float]
        }
        var sentences: [Sentence]
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = root.appendingPathComponent(EmbedderConfiguration.defaultMiniLMFolder).path

    /// The model on each kernel path this CPU supports, loaded once for the suite, off the
    /// cooperative pool. Its batcher has no wait bound: these tests check results, and on a
    /// loaded machine (or with every path's tests running at once) the 5 ms default refuses calls.
    static let models = Dictionary(uniqueKeysWithValues: MiniLMKernels.allCases.filter(\.isSupported).map { kernels in
        (kernels, Task { try await MiniLMEmbedder.load(folder: folder, kernels: kernels, batching: EmbeddingBatcher.Settings(maxWait: .seconds(60))) })
    })

    static let bf16Missing: Comment = "this CPU (or its OS) lacks AVX512_BF16, so only the fp32 kernels can run here; they are tested"
    static let avx2Missing: Comment = "this CPU (or its OS) lacks AVX2 and FMA, so the AVX2 int8 kernels cannot run here; the other paths are tested"
    static let amxMissing: Comment = "this CPU (or its OS) lacks AMX, so the tile kernels cannot run here; the other paths are tested"
    static let vnniMissing: Comment = "this CPU (or its OS) lacks AVX-512 VNNI, so the int8 kernels cannot run here; the other paths are tested"

    static func load(_ kernels: MiniLMKernels = .fp32) async throws -> (MiniLMEmbedder, Fixture) {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/minilm-reference.json")))
        guard FileManager.default.fileExists(atPath: folder + "/model.safetensors") else {
            throw MiniLMError("\(folder) is missing: run scripts/fetch-minilm.sh (scripts/setup runs it) before these tests")
        }
        let model = try await models[kernels]!.value
        #expect(model.kernels == kernels)
        return (model, fixture)
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for index in a.indices {
            dot += a[index] * b[index]
            na += a[index] * a[index]
            nb += b[index] * b[index]
        }
        return dot / (na.squareRoot() * nb.squareRoot())
    }

    @Test func tokenIDsEqualTheReference() async throws {
        let (model, fixture) = try await Self.load()
        #expect(fixture.sentences.count >= 30)
        for sentence in fixture.sentences {
            #expect(model.tokenizer.tokenIDs(sentence.text) == sentence.ids, "text: \(sentence.text.debugDescription)")
        }
    }

    @Test func batchedEmbeddingsMatchTheReferenceOnFP32() async throws {
        try await Self.batchedEmbeddingsMatchTheReference(.fp32)
    }

    @Test(.enabled(if: MiniLMKernels.avx512BF16.isSupported, bf16Missing))
    func batchedEmbeddingsMatchTheReferenceOnAVX512BF16() async throws {
        try await Self.batchedEmbeddingsMatchTheReference(.avx512BF16)
    }

    @Test(.enabled(if: MiniLMKernels.int8VNNI.isSupported, vnniMissing))
    func batchedEmbeddingsMatchTheReferenceOnInt8VNNI() async throws {
        try await Self.batchedEmbeddingsMatchTheReference(.int8VNNI)
    }

    @Test(.enabled(if: MiniLMKernels.int8AMX.isSupported, amxMissing))
    func batchedEmbeddingsMatchTheReferenceOnInt8AMX() async throws {
        try await Self.batchedEmbeddingsMatchTheReference(.int8AMX)
    }

    @Test(.enabled(if: MiniLMKernels.int8AVX2.isSupported, avx2Missing))
    func batchedEmbeddingsMatchTheReferenceOnInt8AVX2() async throws {
        try await Self.batchedEmbeddingsMatchTheReference(.int8AVX2)
    }

    @Test func oneAtATimeEqualsBatchedOnFP32() async throws {
        try await Self.oneAtATimeEqualsBatched(.fp32)
    }

    @Test(.enabled(if: MiniLMKernels.avx512BF16.isSupported, bf16Missing))
    func oneAtATimeEqualsBatchedOnAVX512BF16() async throws {
        try await Self.oneAtATimeEqualsBatched(.avx512BF16)
    }

    @Test(.enabled(if: MiniLMKernels.int8VNNI.isSupported, vnniMissing))
    func oneAtATimeEqualsBatchedOnInt8VNNI() async throws {
        try await Self.oneAtATimeEqualsBatched(.int8VNNI)
    }

    @Test(.enabled(if: MiniLMKernels.int8AMX.isSupported, amxMissing))
    func oneAtATimeEqualsBatchedOnInt8AMX() async throws {
        try await Self.oneAtATimeEqualsBatched(.int8AMX)
    }

    @Test(.enabled(if: MiniLMKernels.int8AVX2.isSupported, avx2Missing))
    func oneAtATimeEqualsBatchedOnInt8AVX2() async throws {
        try await Self.oneAtATimeEqualsBatched(.int8AVX2)
    }

    static func batchedEmbeddingsMatchTheReference(_ kernels: MiniLMKernels) async throws {
        let (model, fixture) = try await Self.load(kernels)
        #expect(model.name == "minilm" && model.dimensions == 384)
        let vectors = try await model.embed(batch: fixture.sentences.map(\.text))
        var lowest: Float = 1
        for (sentence, vector) in zip(fixture.sentences, vectors) {
            #expect(vector.count == 384)
            let cosine = Self.cosine(vector, sentence.embedding)
            lowest = min(lowest, cosine)
            #expect(cosine >= 0.999, "\(kernels), text: \(sentence.text.debugDescription)")
            #expect(abs(Self.cosine(vector, vector) - 1) < 1e-4)
        }
        print("minilm \(kernels.rawValue): minimum cosine to the reference over \(vectors.count) sentences \(lowest)")
    }

    /// A pass whose steps are split between two threads gives exactly one thread's result, on
    /// every kernel path: each step's parts are whole rows, which the kernels compute alike.
    @Test(arguments: MiniLMKernels.allCases.filter(\.isSupported))
    func aPassSharedWithASecondThreadEqualsOneThreadsBitForBit(kernels: MiniLMKernels) async throws {
        let (model, fixture) = try await Self.load(kernels)
        let sample = fixture.sentences.prefix(5).map(\.ids)
        for sequences in [[sample[0]], Array(sample)] {
            let alone = model.vectors(forTokens: sequences)
            let team = WorkTeam()
            let helper = Thread { team.help() }
            helper.start()
            while !team.isShared { try await Task.sleep(for: .milliseconds(1)) }
            let shared = model.vectors(forTokens: sequences, team: team)
            team.finish()
            #expect(shared == alone)
        }
    }

    static func oneAtATimeEqualsBatched(_ kernels: MiniLMKernels) async throws {
        let (model, fixture) = try await Self.load(kernels)
        let sample = fixture.sentences.filter { $0.ids.count < 40 }.prefix(6)
        let batched = try await model.embed(batch: sample.map(\.text))
        for (sentence, vector) in zip(sample, batched) {
            let single = try await model.embed(sentence.text)
            #expect(Self.cosine(single, vector) > 0.99999)
            #expect(Self.cosine(single, sentence.embedding) >= 0.999)
        }
    }
}
