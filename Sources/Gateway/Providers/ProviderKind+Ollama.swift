package import ServingEngine

extension ProviderKind {
    /// A local [Ollama](https://ollama.com) server, through its OpenAI-compatible API at
    /// `http://localhost:11434/v1` unless `base_url` says otherwise. It needs no key (one named by
    /// `api_key_env` is sent as a bearer token, for a proxy in front of it). Its defaults: tools,
    /// images (with vision models), JSON modes and embeddings; no log probabilities, several
    /// choices, audio or files.
    package static let ollama = ProviderKind(
        name: "ollama", defaultCapabilities: [.tools, .vision, .jsonObject, .jsonSchema, .embeddings],
        defaultBaseURL: "http://localhost:11434/v1", settings: [.streamUpstream]
    )
}

extension HTTPProviderKind {
    /// `kind: ollama`: the OpenAI wire format and headers, with Ollama's defaults.
    static let ollama = HTTPProviderKind(kind: .ollama, headers: OpenAICompatibleProvider.headers(apiKey:)) {
        OpenAICompatibleProvider(configuration: $0, endpoint: $1)
    }
}
