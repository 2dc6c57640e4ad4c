import ArgumentParser
import Gateway
import ServingEngine

/// Helpers shared by the subcommands.
enum CommandSupport {
    /// The configuration at `path`, or the built-in one; a bad file becomes a clear error and exit code 1.
    /// Its providers may be of any kind the gateway knows (``ServingEngine/ProviderRegistry/gateway``).
    static func loadConfiguration(_ path: String?) throws -> EngineConfiguration {
        guard let path else { return .builtIn }
        do {
            return try ConfigurationLoader.load(path: path, kinds: .gateway)
        } catch {
            throw ValidationError("invalid configuration: \(error.description)")
        }
    }

    /// The embedder named on a command line (`hashing`, `minilm`), or the built-in choice when nil.
    static func makeEmbedder(_ name: String?, minilmFolder: String) throws -> any Embedder {
        var configuration = EmbedderConfiguration(kind: .auto, modelFolder: minilmFolder)
        if let name {
            guard let kind = EmbedderConfiguration.Kind(rawValue: name), kind != .remote else {
                throw ValidationError("--embedder: unknown embedder '\(name)'; available: hashing, minilm")
            }
            configuration.kind = kind
        }
        do {
            guard let embedder = try configuration.makeLocalEmbedder(file: "command line") else {
                throw ValidationError("--embedder: the remote embedder is measured through `switchboard serve`")
            }
            return embedder
        } catch let error as ConfigError {
            throw ValidationError(error.message)
        }
    }
}
