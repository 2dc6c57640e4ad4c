import ArgumentParser
import Gateway
import ServingEngine
import SharedState

/// Helpers shared by the subcommands.
enum CommandSupport {
    /// The configuration at `path`, or the built-in one; a bad file becomes a clear error and exit code 1.
    /// Its providers may be of any kind the gateway knows (``ServingEngine/ProviderRegistry/gateway``);
    /// the sections other modules read (`gateway`, `shared_state`) are checked here too.
    static func loadConfiguration(_ path: String?) throws -> EngineConfiguration {
        guard let path else { return .builtIn }
        do {
            return try checkedSections(ConfigurationLoader.load(path: path, kinds: .gateway))
        } catch {
            throw ValidationError("invalid configuration: \(error.description)")
        }
    }

    /// `configuration` once the Gateway and SharedState modules have read their sections of it.
    static func checkedSections(_ configuration: EngineConfiguration) throws(ConfigError) -> EngineConfiguration {
        _ = try GatewayConfiguration(configuration)
        _ = try SharedStateConfiguration(configuration)
        return configuration
    }

    /// The `gateway` section of a loaded configuration.
    static func gatewayConfiguration(_ configuration: EngineConfiguration) throws -> GatewayConfiguration {
        do {
            return try GatewayConfiguration(configuration)
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
