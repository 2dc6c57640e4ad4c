package import ServingEngine

extension EngineConfiguration {
    /// The built-in deployment with the zero-file `hashing` embedder, for tests that are not about
    /// the embedder.
    ///
    /// The built-in deployment says `embedder: auto`, which loads MiniLM whenever `models/` holds
    /// it (the test command fetches it): 0.7 s of CPU per engine in a debug build, taken on the
    /// cooperative pool that every suite in the test process shares. A dozen suites doing that at
    /// once starved the ones whose providers run against timeouts.
    package static var builtInWithHashingEmbedder: EngineConfiguration {
        var configuration = EngineConfiguration.builtIn
        configuration.embedder = EmbedderConfiguration(kind: .hashing)
        return configuration
    }
}
