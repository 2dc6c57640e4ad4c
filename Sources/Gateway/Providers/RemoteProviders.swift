import Foundation
package import ServingEngine

/// Builds the real providers (the kinds in ``kinds``: `openai-compatible`, `anthropic`, `ollama`)
/// over one shared, pooled ``UpstreamHTTPClient``, reading their keys from the environment variables the
/// configuration names.
///
/// ```swift
/// let configuration = try ConfigurationLoader.load(path: path, kinds: .gateway)
/// let remote = RemoteProviders(source: configuration.source)
/// let engine = try ServingEngine(configuration: configuration, registry: remote.registry, makeRemoteEmbedder: remote.makeEmbedder)
/// // … serve …
/// try await remote.shutdown()
/// ```
package final class RemoteProviders: Sendable {
    /// The shared client: pooled keep-alive connections, connect and read timeouts.
    let client: UpstreamHTTPClient
    private let source: String
    private let environment: [String: String]
    private let maxResponseBytes: Int

    /// Creates the factory and its client.
    ///
    /// - Parameters:
    ///   - source: the configuration's source, for errors.
    ///   - environment: where keys are read from (the process environment by default).
    ///   - connectTimeout: how long a TCP (and TLS) connect may take.
    ///   - readTimeout: how long the upstream may stay silent mid-response.
    ///   - maxResponseBytes: the most bytes one response (body or stream) may have; beyond it the
    ///     attempt fails as a bad response (`gateway.max_upstream_response_bytes`).
    package init(source: String, environment: [String: String] = ProcessInfo.processInfo.environment, connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(120), maxResponseBytes: Int = GatewayConfiguration().maxUpstreamResponseBytes) {
        // A refused connection fails the attempt at once (the client never retries connecting):
        // the cascade retries, backs off and falls back itself. Bodies are passed on as sent
        // (no decompression), and no tracing span is opened per call.
        client = UpstreamHTTPClient(connectTimeout: connectTimeout, readTimeout: readTimeout, idleTimeout: .seconds(60), maxIdlePerOrigin: 256)
        self.source = source
        self.environment = environment
        self.maxResponseBytes = maxResponseBytes
    }

    /// The provider kinds the gateway builds over HTTP: adding a kind is one file (its
    /// ``ServingEngine/ProviderKind`` and ``HTTPProviderKind``) and one line here.
    static let kinds: [HTTPProviderKind] = [
        .openAICompatible,
        .anthropic,
        .ollama,
    ]

    /// The engine's kinds and the HTTP kinds, built over this client; pass it as the engine's `registry`.
    package var registry: ProviderRegistry {
        Self.kinds.reduce(ProviderRegistry.standard) { registry, kind in
            registry.registering(kind.kind) { configuration, _ throws(ConfigError) in try self.make(configuration, as: kind) }
        }
    }

    /// Builds the provider for `configuration`, of one of the HTTP ``kinds``; ``registry`` builds
    /// them this way.
    ///
    /// - Throws: ``ServingEngine/ConfigError`` when the kind is not built over HTTP, or the key's
    ///   environment variable is unset.
    package func make(_ configuration: ProviderConfiguration) throws(ConfigError) -> any ModelProvider {
        guard let kind = Self.kind(of: configuration) else {
            throw ConfigError(
                file: source, key: "providers.\(configuration.name).kind",
                message: "a \(configuration.kind.name) provider is not built over HTTP; the gateway builds: \(Self.kinds.map(\.kind.name).joined(separator: ", "))"
            )
        }
        return try make(configuration, as: kind)
    }

    private func make(_ configuration: ProviderConfiguration, as kind: HTTPProviderKind) throws(ConfigError) -> any ModelProvider {
        guard let baseURL = configuration.baseURL else {
            throw ConfigError(file: source, key: "providers.\(configuration.name).base_url", message: "a \(configuration.kind.name) provider needs a base_url")
        }
        var apiKey: String?
        if let variable = configuration.apiKeyEnvironmentVariable {
            guard let value = environment[variable], !value.isEmpty else {
                throw ConfigError(file: source, key: "providers.\(configuration.name).api_key_env", message: "the environment variable \(variable) is not set or is empty; export the provider's key in it before starting")
            }
            apiKey = value
        }
        let endpoint = HTTPEndpoint(baseURL: baseURL, apiKey: apiKey, headers: kind.headers(apiKey), transport: client, maxResponseBytes: maxResponseBytes)
        return kind.make(configuration, endpoint)
    }

    /// The HTTP kind of `configuration`, if it has one.
    static func kind(of configuration: ProviderConfiguration) -> HTTPProviderKind? {
        kinds.first { $0.kind == configuration.kind }
    }

    /// Builds the `remote` embedder; pass it as the engine's `makeRemoteEmbedder`.
    ///
    /// - Throws: ``ServingEngine/ConfigError`` when the key's environment variable is unset.
    package func makeEmbedder(_ configuration: EmbedderConfiguration.Remote) throws(ConfigError) -> any Embedder {
        var apiKey: String?
        if let variable = configuration.apiKeyEnvironmentVariable {
            guard let value = environment[variable], !value.isEmpty else {
                throw ConfigError(file: source, key: "cache.remote_embedder.api_key_env", message: "the environment variable \(variable) is not set or is empty; export the embedding endpoint's key in it before starting")
            }
            apiKey = value
        }
        return RemoteEmbedder(configuration: configuration, apiKey: apiKey, transport: client)
    }

    /// Probes `configuration`'s server once (`GET <base_url>/models`, with its key) and returns
    /// the failure, or nil when it answered 200 within `timeout`.
    func probe(_ configuration: ProviderConfiguration, timeout: Duration) async -> ProviderFailure? {
        guard let baseURL = configuration.baseURL else { return ProviderFailure(.providerRejected, "no base_url") }
        let apiKey = configuration.apiKeyEnvironmentVariable.flatMap { environment[$0] }
        var request = UpstreamRequest(method: .get, url: OpenAICompatibleProvider.join(baseURL, "models"))
        // The kind's own headers, as its calls send them; a server probed without a key gets none.
        if apiKey != nil {
            let headers = Self.kind(of: configuration)?.headers ?? OpenAICompatibleProvider.headers(apiKey:)
            request.headers = headers(apiKey)
        }
        do {
            let response = try await client.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 1 << 20)
            guard response.status == 200 else {
                return UpstreamStatus.failure(status: response.status, provider: configuration.name, detail: "health check", retryAfter: nil)
            }
            return nil
        } catch {
            let call = UpstreamCall(transport: client, provider: configuration.name, secret: apiKey)
            return call.transportFailure(error, midStream: false) as? ProviderFailure ?? ProviderFailure(.timeout, "\(configuration.name) health check did not answer in time")
        }
    }

    /// Closes the client's connections; call once nothing uses the providers any more.
    package func shutdown() async throws {
        await client.shutdown()
    }
}

extension ProviderRegistry {
    /// The kinds a gateway configuration may name: the engine's and the HTTP ones
    /// (``RemoteProviders/kinds``), for loading configuration files. The HTTP kinds are only
    /// declared here; ``RemoteProviders/registry`` builds them.
    package static let gateway = RemoteProviders.kinds.reduce(ProviderRegistry.standard) { $0.declaring($1.kind) }
}
