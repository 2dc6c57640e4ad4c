import Foundation

/// The parts of a Hugging Face BERT `config.json` the encoder needs, checked for what it supports.
struct BertConfiguration: Sendable, Hashable {
    var vocabularySize: Int
    var hiddenSize: Int
    var layers: Int
    var heads: Int
    var intermediateSize: Int
    var maxPositions: Int
    var tokenTypes: Int
    var layerNormEpsilon: Float

    var headSize: Int { hiddenSize / heads }

    /// Reads and checks `config.json` at `path`.
    init(path: String) throws(MiniLMError) {
        let object = try Self.jsonObject(path: path)
        func integer(_ key: String) throws(MiniLMError) -> Int {
            guard let value = object[key] as? Int, value > 0 else {
                throw MiniLMError("\(path): \(key) must be a positive integer, got \(object[key].map { "\($0)" } ?? "nothing")")
            }
            return value
        }
        if let type = object["model_type"] as? String, type != "bert" {
            throw .unsupported(path, key: "model_type", found: "'\(type)'", expected: "'bert'")
        }
        let activation = object["hidden_act"] as? String ?? "gelu"
        guard activation == "gelu" else {
            throw .unsupported(path, key: "hidden_act", found: "'\(activation)'", expected: "'gelu' (the exact erf form)")
        }
        let positions = object["position_embedding_type"] as? String ?? "absolute"
        guard positions == "absolute" else {
            throw .unsupported(path, key: "position_embedding_type", found: "'\(positions)'", expected: "'absolute'")
        }
        vocabularySize = try integer("vocab_size")
        hiddenSize = try integer("hidden_size")
        layers = try integer("num_hidden_layers")
        heads = try integer("num_attention_heads")
        intermediateSize = try integer("intermediate_size")
        maxPositions = try integer("max_position_embeddings")
        tokenTypes = try integer("type_vocab_size")
        layerNormEpsilon = Float(object["layer_norm_eps"] as? Double ?? 1e-12)
        guard hiddenSize % heads == 0, headSize % 16 == 0, intermediateSize % 16 == 0 else {
            throw .unsupported(path, key: "hidden_size/num_attention_heads/intermediate_size", found: "\(hiddenSize)/\(heads)/\(intermediateSize)", expected: "head sizes and intermediate sizes that are multiples of 16")
        }
    }

    static func jsonObject(path: String) throws(MiniLMError) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path, "cannot read the file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .unreadable(path, "is not a JSON object")
        }
        return object
    }
}
