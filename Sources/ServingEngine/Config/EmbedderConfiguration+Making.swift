import Foundation

extension EmbedderConfiguration {
    /// The embedder this configuration names, built in process, or nil for `remote`, which
    /// only the gateway can build (it owns the HTTP client).
    ///
    /// `auto` resolves here: `minilm` when ``modelFolder`` holds a model, `hashing` otherwise.
    /// A named `minilm` folder that is missing or damaged is an error, not a silent fallback.
    package func makeLocalEmbedder(file: String) throws(ConfigError) -> (any Embedder)? {
        switch kind {
        case .hashing:
            return HashingEmbedder()
        case .auto:
            guard FileManager.default.fileExists(atPath: modelFolder + "/config.json") else { return HashingEmbedder() }
            return try makeMiniLM(file: file)
        case .minilm:
            return try makeMiniLM(file: file)
        case .remote:
            return nil
        }
    }

    private func makeMiniLM(file: String) throws(ConfigError) -> any Embedder {
        do {
            return try MiniLMEmbedder(folder: modelFolder)
        } catch {
            throw ConfigError(file: file, key: "cache.minilm_folder", message: error.description)
        }
    }
}
