import ArgumentParser
import ServingEngine

/// `--config`, as `serve`, `dashboard` and `simulate` take it.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A YAML configuration file (default: the built-in demo configuration).", valueName: "PATH"))
    var config: String?

    /// The configuration file, or the built-in one; a bad file is a clear error and exit code 1.
    func load() throws -> EngineConfiguration {
        try CommandSupport.loadConfiguration(config)
    }
}
