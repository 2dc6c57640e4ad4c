import ArgumentParser
import Gateway
import ServingEngine

/// `switchboard check-config`: validates a configuration file.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a YAML configuration file.",
        discussion: """
            Prints a summary when the file is valid, or the first problem with its file, line, \
            key and what is expected (exit code 1). Example:
              switchboard check-config switchboard.yaml
            """
    )

    @Argument(help: "The configuration file to check.")
    var path: String

    func run() throws {
        do {
            let configuration = try CommandSupport.checkedSections(ConfigurationLoader.load(path: path, kinds: .gateway))
            print("\(path): ok — \(configuration.providers.count) providers, \(configuration.tiers.count) tiers (\(configuration.tiers.map { "\($0.name): \($0.chain.joined(separator: " → "))" }.joined(separator: "; ")))")
        } catch {
            FileHandleOutput.standardError(error.description)
            throw ExitCode(1)
        }
    }
}

/// `switchboard print-config`: prints the built-in configuration as a starting point.
struct PrintConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print-config",
        abstract: "Print the built-in demo configuration as YAML.",
        discussion: """
            A starting point for your own file. Example:
              switchboard print-config > switchboard.yaml && switchboard check-config switchboard.yaml
            """
    )

    func run() throws {
        print(EngineConfiguration.builtInYAML)
    }
}
