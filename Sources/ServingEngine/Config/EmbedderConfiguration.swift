/// Which embedder the semantic cache uses, and where its model or endpoint is.
///
/// `auto` (the built-in choice) takes `minilm` when its model folder is present and falls back to
/// `hashing` otherwise; ``ServingEngine`` resolves it once, at start, and the snapshot names the
/// embedder actually live.
public struct EmbedderConfiguration: Sendable, Hashable {
    /// The kinds of embedder.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `minilm` when its folder is present, else `hashing`.
        case auto
        /// The zero-file hashed n-gram embedder.
        case hashing
        /// all-MiniLM-L6-v2 run natively from a sentence-transformers folder.
        case minilm
        /// An OpenAI-compatible `/v1/embeddings` endpoint (built by the gateway).
        case remote
    }

    /// An OpenAI-compatible embeddings endpoint.
    public struct Remote: Sendable, Hashable {
        /// The API base URL, up to and including `/v1`.
        public var baseURL: String
        /// The model name sent in each request.
        public var model: String
        /// The length of the vectors the endpoint returns.
        public var dimensions: Int
        /// The environment variable holding the bearer key, if the endpoint needs one.
        public var apiKeyEnvironmentVariable: String?
        /// How long one embedding call may take before the cache gives up and misses.
        public var timeout: Duration

        /// Creates a remote embedder configuration.
        public init(baseURL: String, model: String, dimensions: Int, apiKeyEnvironmentVariable: String? = nil, timeout: Duration = .milliseconds(250)) {
            self.baseURL = baseURL
            self.model = model
            self.dimensions = dimensions
            self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
            self.timeout = timeout
        }
    }

    /// The folder `minilm` loads when the configuration names none, relative to the working directory.
    public static let defaultMiniLMFolder = "models/all-MiniLM-L6-v2"

    /// The kind asked for.
    public var kind: Kind
    /// The sentence-transformers folder for `minilm` (and for `auto`).
    public var modelFolder: String
    /// The endpoint for `remote`.
    public var remote: Remote?

    /// Creates an embedder configuration.
    public init(kind: Kind = .hashing, modelFolder: String = EmbedderConfiguration.defaultMiniLMFolder, remote: Remote? = nil) {
        self.kind = kind
        self.modelFolder = modelFolder
        self.remote = remote
    }
}
