import Foundation
import Synchronization
import Testing
@testable import ServingEngine

@Suite("Remote providers in the configuration")
struct RemoteProviderConfigurationTests {
    let remote = """
        providers:
          - name: vllm
            kind: openai-compatible
            base_url: http://127.0.0.1:8000/v1
            api_key_env: VLLM_KEY
            model: qwen-7b
            health_check: { interval_ms: 5000, timeout_ms: 1000 }
          - name: claude
            kind: anthropic
            base_url: https://api.anthropic.com/v1
            api_key_env: ANTHROPIC_API_KEY
            model: claude-sonnet
        tiers:
          - name: main
            chain: [vllm, claude]
        gateway:
          listen: 0.0.0.0:9090
          api_keys:
            - { key_env: ACME_KEY, tenant: acme }
            - { key_env: GLOBEX_KEY, tenant: globex }
          admin_token_env: SWITCHBOARD_ADMIN_TOKEN
          max_body_bytes: 65536
          shutdown_grace_ms: 2500
          log_prompts: true
        """

    func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try ConfigurationLoader.parse(yaml, source: "test.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func remoteProviderKindsReadTheirURLKeyVariableAndHealthCheck() throws {
        let configuration = try ConfigurationLoader.parse(remote, source: "test.yaml")
        let vllm = try #require(configuration.provider(named: "vllm"))
        #expect(vllm.kind == .openAICompatible)
        #expect(vllm.baseURL == "http://127.0.0.1:8000/v1")
        #expect(vllm.apiKeyEnvironmentVariable == "VLLM_KEY")
        #expect(vllm.healthCheck == HealthCheckConfiguration(interval: .seconds(5), timeout: .seconds(1)))
        let claude = try #require(configuration.provider(named: "claude"))
        #expect(claude.kind == .anthropic)
        #expect(claude.healthCheck == nil)
    }

    @Test func aRemoteProviderWithoutBaseURLIsAnErrorWithItsLine() throws {
        let yaml = "providers:\n  - name: cloud\n    kind: openai-compatible\ntiers:\n  - name: t\n    chain: [cloud]\n"
        let error = try #require(self.error(yaml))
        #expect(error.message.contains("base_url"))
        #expect(error.line == 2)
    }

    @Test func aKeyInPlaceOfAVariableNameIsRefused() throws {
        let yaml = remote.replacingOccurrences(of: "api_key_env: VLLM_KEY", with: "api_key_env: sk-proj-abc123")
        let error = try #require(self.error(yaml))
        #expect(error.key == "providers[0].api_key_env")
        #expect(error.message.contains("NAME of an environment variable"))
        #expect(!error.description.contains("sk-proj-abc123"), "the would-be secret is not echoed")
    }

    @Test func badURLsAndKindsAreNamed() throws {
        #expect(error(remote.replacingOccurrences(of: "http://127.0.0.1:8000/v1", with: "127.0.0.1:8000"))?.key == "providers[0].base_url")
        #expect(error(remote.replacingOccurrences(of: "kind: anthropic", with: "kind: anthropics"))?.message.contains("openai-compatible") == true)
        let simulatedWithURL = "providers:\n  - name: a\n    base_url: http://x\ntiers:\n  - name: t\n    chain: [a]\n"
        #expect(error(simulatedWithURL)?.key == "providers[0].base_url")
    }

    @Test func streamUpstreamIsReadForOpenAICompatibleProvidersOnlyAndBadValuesAreNamedWithTheirLine() throws {
        let defaulted = try ConfigurationLoader.parse(remote, source: "test.yaml")
        #expect(defaulted.providers.map(\.upstreamStreaming) == [.always, .always])
        let plain = remote.replacingOccurrences(of: "    model: qwen-7b\n", with: "    model: qwen-7b\n    stream_upstream: when_client_streams\n")
        #expect(try ConfigurationLoader.parse(plain, source: "test.yaml").providers[0].upstreamStreaming == .whenClientStreams)

        let misspelt = try #require(error(plain.replacingOccurrences(of: "when_client_streams", with: "never")))
        #expect(misspelt.key == "providers[0].stream_upstream")
        #expect(misspelt.line == 7)
        #expect(misspelt.message.contains("always or when_client_streams") && misspelt.message.contains("'never'"))
        let onAnthropic = remote.replacingOccurrences(of: "    model: claude-sonnet\n", with: "    model: claude-sonnet\n    stream_upstream: always\n")
        #expect(error(onAnthropic)?.key == "providers[1].stream_upstream")
    }

    @Test func theEngineRefusesRemoteProvidersItCannotBuildWithAClearError() throws {
        let configuration = try ConfigurationLoader.parse(remote, source: "test.yaml")
        #expect(throws: ConfigError.self) { try ServingEngine(configuration: configuration) }
        do {
            _ = try ServingEngine(configuration: configuration)
        } catch {
            #expect(error.message.contains("switchboard serve"))
            #expect(error.key == "providers[0].kind")
        }
    }

    @Test func theEngineBuildsRemoteProvidersWithTheFactoryOrTakesReplacements() throws {
        let configuration = try ConfigurationLoader.parse(remote, source: "test.yaml")
        let built = Mutex<[String]>([])
        let factory: ProviderRegistry.Factory = { provider, _ throws(ConfigError) in
            built.withLock { $0.append(provider.name) }
            return ScriptedProvider(provider.name)
        }
        let registry = ProviderRegistry.standard.registering(.openAICompatible, factory: factory).registering(.anthropic, factory: factory)
        let engine = try ServingEngine(configuration: configuration, registry: registry)
        #expect(built.withLock { $0 } == ["vllm", "claude"])
        #expect(engine.providers.count == 2)
        let replaced = try ServingEngine(configuration: configuration, providers: [ScriptedProvider("vllm"), ScriptedProvider("claude")])
        #expect(replaced.providers.count == 2)
    }
}
