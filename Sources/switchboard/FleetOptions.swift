import ArgumentParser

/// `--state`, the shared database a replica joins, as `serve` and `dashboard` take it.
struct FleetOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Share the cache and operator overrides with other replicas through this PostgreSQL database (default: the configuration's shared_state).", valueName: "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"))
    var state: String?
}
