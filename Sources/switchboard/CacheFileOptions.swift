import ArgumentParser

/// `--cache-file`, cached answers kept across restarts, as `serve`, `dashboard` and `simulate`
/// take it.
struct CacheFileOptions: ParsableArguments {
    @Option(name: .customLong("cache-file"), help: ArgumentHelp("Load cached answers from this file at start and save them as they change and on exit (crash-safe).", valueName: "PATH"))
    var cacheFile: String?
}
