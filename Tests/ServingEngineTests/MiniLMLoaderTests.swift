import Foundation
import Testing
@testable import ServingEngine

/// Loading and running a tiny BERT folder the test writes itself (no downloaded weights), and the
/// loader's errors for missing files, damaged tensors and unsupported settings.
@Suite("MiniLM loader")
struct MiniLMLoaderTests {
    static let hidden = 16, intermediate = 32, vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world", "cache", "hit", "miss", "##es", "!"]

    /// A 2-layer, 1-head BERT with deterministic pseudo-random weights.
    static func tensors() -> [(name: String, shape: [Int])] {
        let h = hidden
        var list: [(String, [Int])] = [
            ("embeddings.word_embeddings.weight", [vocabulary.count, h]), ("embeddings.position_embeddings.weight", [32, h]),
            ("embeddings.token_type_embeddings.weight", [2, h]), ("embeddings.LayerNorm.weight", [h]), ("embeddings.LayerNorm.bias", [h]),
        ]
        for layer in 0..<2 {
            let p = "encoder.layer.\(layer)."
            for part in ["query", "key", "value"] { list += [(p + "attention.self.\(part).weight", [h, h]), (p + "attention.self.\(part).bias", [h])] }
            list += [
                (p + "attention.output.dense.weight", [h, h]), (p + "attention.output.dense.bias", [h]),
                (p + "attention.output.LayerNorm.weight", [h]), (p + "attention.output.LayerNorm.bias", [h]),
                (p + "intermediate.dense.weight", [intermediate, h]), (p + "intermediate.dense.bias", [intermediate]),
                (p + "output.dense.weight", [h, intermediate]), (p + "output.dense.bias", [h]),
                (p + "output.LayerNorm.weight", [h]), (p + "output.LayerNorm.bias", [h]),
            ]
        }
        return list
    }

    static func safetensors(_ tensors: [(name: String, shape: [Int], dtype: String)]) -> Data {
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var body = Data()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for tensor in tensors {
            let count = tensor.shape.reduce(1, *)
            let start = body.count
            for _ in 0..<count {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let value = tensor.name.hasSuffix("LayerNorm.weight") ? 1 : Float(Int(state >> 40) % 2001 - 1000) / 2500
                withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) }
            }
            header[tensor.name] = ["dtype": tensor.dtype, "shape": tensor.shape, "data_offsets": [start, body.count]]
        }
        var json = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        return file + json + body
    }

    /// Writes a complete tiny model folder and returns its path; `change` alters it first.
    static func folder(config: [String: Any] = [:], tensors change: (inout [(name: String, shape: [Int], dtype: String)]) -> Void = { _ in }) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minilm-test-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder + "/1_Pooling", withIntermediateDirectories: true)
        var configuration: [String: Any] = [
            "model_type": "bert", "hidden_act": "gelu", "hidden_size": hidden, "intermediate_size": intermediate,
            "num_attention_heads": 1, "num_hidden_layers": 2, "max_position_embeddings": 32, "type_vocab_size": 2,
            "vocab_size": vocabulary.count, "layer_norm_eps": 1e-12,
        ]
        configuration.merge(config) { $1 }
        try JSONSerialization.data(withJSONObject: configuration).write(to: URL(fileURLWithPath: folder + "/config.json"))
        try (vocabulary.joined(separator: "\n") + "\n").write(toFile: folder + "/vocab.txt", atomically: true, encoding: .utf8)
        try #"{"max_seq_length": 8}"#.write(toFile: folder + "/sentence_bert_config.json", atomically: true, encoding: .utf8)
        try #"{"word_embedding_dimension": 16, "pooling_mode_mean_tokens": true}"#.write(toFile: folder + "/1_Pooling/config.json", atomically: true, encoding: .utf8)
        var list = tensors().map { (name: $0.name, shape: $0.shape, dtype: "F32") }
        change(&list)
        try safetensors(list).write(to: URL(fileURLWithPath: folder + "/model.safetensors"))
        return folder
    }

    static func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: MiniLMKernels.allCases.filter(\.isSupported))
    func aTinyModelEmbedsToUnitVectorsAndBatchingChangesNothing(kernels: MiniLMKernels) async throws {
        // No wait bound: this test checks results, and on a loaded machine (or with the other
        // kernel paths' tests running at the same time) the 5 ms default refuses calls.
        let model = try MiniLMEmbedder(folder: try Self.folder(), kernels: kernels, batching: EmbeddingBatcher.Settings(maxWait: .seconds(60)))
        #expect(model.dimensions == Self.hidden)
        #expect(model.tokenizer.maxLength == 8)
        let texts = ["hello world", "cache hit!", "", "misses hello cache hit world hello world hello", "world"]
        let batched = try await model.embed(batch: texts)
        for (text, vector) in zip(texts, batched) {
            let single = try await model.embed(text)
            #expect(vector.count == Self.hidden)
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
            // Packed batches must isolate sequences exactly as a padded, masked batch does.
            #expect(zip(single, vector).allSatisfy { abs($0 - $1) < 1e-5 }, "text: \(text)")
        }
        #expect(zip(batched[0], batched[1]).contains { abs($0 - $1) > 1e-3 })
    }

    @Test func aMissingFolderOrFileSaysWhichAndWhatToRun() throws {
        let absent = Self.message { _ = try MiniLMEmbedder(folder: "/nonexistent/minilm") }
        #expect(absent.contains("/nonexistent/minilm") && absent.contains("scripts/fetch-minilm.sh"))
        let folder = try Self.folder()
        try FileManager.default.removeItem(atPath: folder + "/model.safetensors")
        let missing = Self.message { _ = try MiniLMEmbedder(folder: folder) }
        #expect(missing.contains(folder) && missing.contains("model.safetensors is missing") && missing.contains("scripts/fetch-minilm.sh"))
        try FileManager.default.removeItem(atPath: folder + "/vocab.txt")
        try Data().write(to: URL(fileURLWithPath: folder + "/model.safetensors"))
        #expect(Self.message { _ = try MiniLMEmbedder(folder: folder) }.contains("vocab.txt (or tokenizer.json) is missing"))
    }

    @Test func aTruncatedHeaderIsReported() throws {
        let folder = try Self.folder()
        let path = folder + "/model.safetensors"
        try Data([0x10, 0x27, 0, 0]).write(to: URL(fileURLWithPath: path))
        #expect(Self.message { _ = try MiniLMEmbedder(folder: folder) }.contains("truncated safetensors header"))
        let full = try Data(contentsOf: URL(fileURLWithPath: path.replacingOccurrences(of: folder, with: try Self.folder())))
        try full.prefix(40).write(to: URL(fileURLWithPath: path))
        #expect(Self.message { _ = try MiniLMEmbedder(folder: folder) }.contains("truncated safetensors header: it announces"))
        try full.dropLast(100).write(to: URL(fileURLWithPath: path))
        #expect(Self.message { _ = try MiniLMEmbedder(folder: folder) }.contains("the file is truncated"))
    }

    @Test func aWrongShapeOrDtypeNamesTheTensor() throws {
        let shape = Self.message {
            _ = try MiniLMEmbedder(folder: try Self.folder { list in list[0].shape = [Self.vocabulary.count, 8] })
        }
        #expect(shape.contains("'embeddings.word_embeddings.weight' has shape [11, 8], expected [11, 16]"))
        let dtype = Self.message {
            _ = try MiniLMEmbedder(folder: try Self.folder { list in
                let index = list.firstIndex { $0.name == "encoder.layer.1.output.dense.bias" }!
                list[index].dtype = "F16"
            })
        }
        #expect(dtype.contains("'encoder.layer.1.output.dense.bias' has dtype F16, expected F32"))
        let missing = Self.message {
            _ = try MiniLMEmbedder(folder: try Self.folder { list in list.removeAll { $0.name == "encoder.layer.0.attention.self.key.weight" } })
        }
        #expect(missing.contains("'encoder.layer.0.attention.self.key.weight' is missing"))
    }

    @Test func unsupportedSettingsAreRejected() throws {
        let activation = Self.message { _ = try MiniLMEmbedder(folder: try Self.folder(config: ["hidden_act": "relu"])) }
        #expect(activation.contains("hidden_act is 'relu'") && activation.contains("gelu"))
        let vocabulary = Self.message { _ = try MiniLMEmbedder(folder: try Self.folder(config: ["vocab_size": 30522])) }
        #expect(vocabulary.contains("vocab_size is 30522"))
    }

    @Test func theConfigurationNamesTheFolderKeyWhenMiniLMCannotLoad() throws {
        let configuration = EmbedderConfiguration(kind: .minilm, modelFolder: "/nonexistent/minilm")
        #expect(throws: ConfigError.self) { try configuration.makeLocalEmbedder(file: "test.yaml") }
        do {
            _ = try configuration.makeLocalEmbedder(file: "test.yaml")
        } catch {
            #expect(error.key == "cache.minilm_folder" && error.message.contains("fetch-minilm.sh"))
        }
        let auto = EmbedderConfiguration(kind: .auto, modelFolder: try Self.folder())
        #expect(try auto.makeLocalEmbedder(file: "test.yaml")?.name == "minilm")
    }

    @Test func theSnapshotNamesMiniLMWhenAutoFindsTheFolder() throws {
        var configuration = EngineConfiguration.builtIn
        configuration.embedder = EmbedderConfiguration(kind: .auto, modelFolder: try Self.folder())
        let live = try ServingEngine(configuration: configuration).snapshot().cache
        #expect(live.embedder == "minilm")
        #expect(live.embedderVariant == (try MiniLMKernels.chosen(environment: ProcessInfo.processInfo.environment)).rawValue)
        configuration.embedder = EmbedderConfiguration(kind: .auto, modelFolder: "/nonexistent/minilm")
        let fallback = try ServingEngine(configuration: configuration).snapshot().cache
        #expect(fallback.embedder == "hashing" && fallback.embedderVariant == nil)
    }
}
