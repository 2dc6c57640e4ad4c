import AsyncHTTPClient
import Foundation
@testable import Gateway
import Logging
import ServiceLifecycle
import ServingEngine
import TestSupport
import Testing

@Suite("Provider kinds of the gateway")
struct ProviderKindTests {
    func ollama(_ upstream: ScriptedUpstream?, key: Bool = false) -> String {
        """
        providers:
          - name: local
            kind: ollama
            model: llama3.2\(upstream.map { "\n    base_url: \($0.baseURL("local"))" } ?? "")\(key ? "\n    api_key_env: OLLAMA_PROXY_KEY" : "")
        tiers:
          - name: main
            chain: [local]
        """
    }

    @Test func theGatewayRegistryHasEveryHTTPKindAndRefusesOthersNamingThem() throws {
        #expect(ProviderRegistry.gateway.kinds.map(\.name) == ["simulated", "openai-compatible", "anthropic", "ollama"])
        let remote = RemoteProviders(source: "test.yaml", environment: [:])
        defer { Task { try? await remote.shutdown() } }
        #expect(remote.registry.kinds == ProviderRegistry.gateway.kinds)
        for kind in ProviderRegistry.gateway.kinds {
            #expect(remote.registry.factory(for: kind) != nil, "\(kind) is built")
        }
        do {
            _ = try ConfigurationLoader.parse(ollama(nil).replacingOccurrences(of: "kind: ollama", with: "kind: olama"), source: "test.yaml", kinds: .gateway)
            Issue.record("expected an error")
        } catch {
            #expect(error.key == "providers[0].kind")
            #expect(error.line == 3)
            #expect(error.message == "unknown provider kind 'olama'; expected one of: simulated, openai-compatible, anthropic, ollama")
        }
    }

    @Test func anOllamaProviderNeedsNoBaseURLOrKeyAndHasOllamasCapabilities() throws {
        let configuration = try ConfigurationLoader.parse(ollama(nil), source: "test.yaml", kinds: .gateway)
        let local = try #require(configuration.provider(named: "local"))
        #expect(local.kind == .ollama)
        #expect(local.baseURL == "http://localhost:11434/v1")
        #expect(local.apiKeyEnvironmentVariable == nil)
        #expect(local.capabilities == [.tools, .vision, .jsonObject, .jsonSchema, .embeddings])
        #expect(!local.capabilities.contains(.logprobs))
        // Without the gateway's kinds the engine's loader does not know it.
        #expect(throws: ConfigError.self) { try ConfigurationLoader.parse(ollama(nil), source: "test.yaml") }
        // Like openai-compatible, it can be called without a stream; unlike anthropic it takes no default max_tokens.
        let plain = ollama(nil).replacingOccurrences(of: "model: llama3.2", with: "model: llama3.2\n    stream_upstream: when_client_streams")
        #expect(try ConfigurationLoader.parse(plain, source: "test.yaml", kinds: .gateway).providers[0].upstreamStreaming == .whenClientStreams)
        let capped = ollama(nil).replacingOccurrences(of: "model: llama3.2", with: "model: llama3.2\n    default_max_tokens: 10")
        do {
            _ = try ConfigurationLoader.parse(capped, source: "test.yaml", kinds: .gateway)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "only anthropic providers need a default max_tokens (the Messages API requires one); remove it")
        }
    }

    @Test func anOllamaProviderCallsTheOpenAIChatAPIWithoutAKey() async throws {
        try await Self.withUpstream { upstream in
            upstream.script("local", [.answer(["Hello", " there"])])
            let configuration = try ConfigurationLoader.parse(ollama(upstream), source: "test.yaml", kinds: .gateway)
            let remote = RemoteProviders(source: configuration.source, environment: [:], connectTimeout: .seconds(1), readTimeout: .seconds(5))
            let engine = try ServingEngine(configuration: configuration, registry: remote.registry)
            var request = ChatRequest(prompt: "Say hello")
            request.options.cacheLookup = false
            let reply = try await engine.complete(request)
            try await remote.shutdown()
            #expect(reply.text == "Hello there")
            let calls = upstream.calls("local")
            #expect(calls.map(\.path) == ["/p/local/v1/chat/completions"])
            #expect(calls.first?.authorization == nil)
            #expect(calls.first?.apiKeyHeader == nil)
            #expect(calls.first?.json["model"] as? String == "llama3.2")
        }
    }

    @Test func anOllamaProviderBehindAProxySendsItsKeyAsABearerToken() async throws {
        try await Self.withUpstream { upstream in
            let configuration = try ConfigurationLoader.parse(ollama(upstream, key: true), source: "test.yaml", kinds: .gateway)
            let remote = RemoteProviders(source: configuration.source, environment: ["OLLAMA_PROXY_KEY": "proxy-SECRET"], connectTimeout: .seconds(1), readTimeout: .seconds(5))
            let provider = try remote.make(configuration.providers[0])
            for try await _ in provider.stream(ProviderRequest(messages: [ChatMessage(role: .user, content: "hi")], sampling: SamplingParameters(), requestID: "t")) {}
            try await remote.shutdown()
            #expect(upstream.calls("local").first?.authorization == "Bearer proxy-SECRET")
        }
    }

    @Test func eachHTTPKindOwnsTheKeyAndVersionHeadersItsCallsAndHealthChecksSend() {
        func headers(_ kind: ProviderKind, _ key: String?) -> [String] {
            var configuration = ProviderConfiguration(name: "p", kind: kind, model: "m", pricing: Pricing(inputPerMillion: 0, outputPerMillion: 0))
            configuration.baseURL = "http://127.0.0.1:9/v1"
            return (RemoteProviders.kind(of: configuration)?.headers(key) ?? []).map { "\($0): \($1)" }
        }
        #expect(headers(.openAICompatible, "k") == ["authorization: Bearer k"])
        #expect(headers(.openAICompatible, nil) == [])
        #expect(headers(.anthropic, "k") == ["anthropic-version: 2023-06-01", "x-api-key: k"])
        #expect(headers(.anthropic, nil) == ["anthropic-version: 2023-06-01"])
        #expect(headers(.ollama, "k") == ["authorization: Bearer k"])
        #expect(headers(.simulated, "k") == [], "simulated providers are not built over HTTP")
    }

    @Test func remoteProvidersRefuseAKindThatIsNotBuiltOverHTTP() {
        let remote = RemoteProviders(source: "test.yaml", environment: [:])
        defer { Task { try? await remote.shutdown() } }
        var configuration = ProviderConfiguration(name: "sim", kind: .simulated, model: "m", pricing: Pricing(inputPerMillion: 0, outputPerMillion: 0))
        configuration.baseURL = "http://127.0.0.1:9/v1"
        do {
            _ = try remote.make(configuration)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "a simulated provider is not built over HTTP; the gateway builds: openai-compatible, anthropic, ollama")
        }
    }

    /// Runs `body` with a fresh ``ScriptedUpstream`` that stops afterwards.
    static func withUpstream(_ body: @escaping @Sendable (ScriptedUpstream) async throws -> Void) async throws {
        let upstream = ScriptedUpstream()
        var quiet = Logger(label: "provider-kind-test")
        quiet.logLevel = .critical
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var settings = ServiceGroupConfiguration(services: [ScriptedUpstream.Serving(upstream: upstream) { portContinuation.yield($0) }], logger: quiet)
        settings.maximumGracefulShutdownDuration = .seconds(5)
        settings.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: settings)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                _ = try await bounded(.seconds(10)) { await ports.first { _ in true } }
                try await bounded(.seconds(30)) { try await body(upstream) }
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
        }
    }
}
