import ArgumentParser
import ServingEngine

/// Helpers shared by the subcommands.
enum CommandSupport {
    /// The configuration at `path`, or the built-in one; a bad file becomes a clear error and exit code 1.
    static func loadConfiguration(_ path: String?) throws -> EngineConfiguration {
        guard let path else { return .builtIn }
        do {
            return try ConfigurationLoader.load(path: path)
        } catch {
            throw ValidationError("invalid configuration: \(error.description)")
        }
    }
}
