import ServingEngine

/// One kind of provider the gateway reaches over HTTP: the engine-side ``ServingEngine/ProviderKind``,
/// the headers every request of the kind carries, and how its provider is built.
///
/// Each provider type defines its own headers (its key and API version); the provider sends them
/// with every call and the active health check sends the same ones. The kinds are registered in
/// ``RemoteProviders/kinds``, one line each.
struct HTTPProviderKind: Sendable {
    /// The kind as configurations name it.
    let kind: ProviderKind
    /// The key and version headers of every request of this kind (`apiKey` is nil when the
    /// configuration names no key).
    let headers: @Sendable (_ apiKey: String?) -> [(String, String)]
    /// Builds the provider for one configuration entry.
    let make: @Sendable (ProviderConfiguration, HTTPEndpoint) -> any ModelProvider
}

/// Where an HTTP provider sends its calls, and over what.
struct HTTPEndpoint: Sendable {
    /// The API's base URL, e.g. `http://127.0.0.1:8000/v1`.
    let baseURL: String
    /// The key, read from the environment variable the configuration names.
    let apiKey: String?
    /// The kind's key and version headers for this key (``HTTPProviderKind/headers``).
    let headers: [(String, String)]
    /// The shared, pooled client (``UpstreamHTTPClient``).
    let transport: any UpstreamTransport
    /// The most bytes one response may have (`gateway.max_upstream_response_bytes`).
    let maxResponseBytes: Int
}
