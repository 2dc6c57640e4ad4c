import ArgumentParser

/// `switchboard bench`: the benchmarks that speed and memory targets are measured with.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Switchboard's hot paths and report figures.",
        discussion: """
            Each benchmark prints its figures and ratios against a baseline measured in the same \
            run. Examples:
              switchboard bench engine
              switchboard bench dashboard
              switchboard bench embed
              switchboard bench cache --sizes 10000,100000 --quantize int8
            """,
        subcommands: [BenchEngineCommand.self, BenchDashboardCommand.self, BenchGatewayCommand.self, BenchSharedStateCommand.self, BenchEmbedCommand.self, BenchCacheCommand.self, BenchUpstreamCommand.self]
    )
}
