import Foundation
import Synchronization
import Testing
@testable import ServingEngine

/// A kind a test registers: what another module would declare next to its provider.
private extension ProviderKind {
    static let echo = ProviderKind(name: "echo", isRemote: false, defaultCapabilities: [.tools])
}

/// The contexts a factory was called with, by provider name.
private final class SeenContexts: Sendable {
    let contexts = Mutex<[String: ProviderBuildContext]>([:])
}

@Suite("Provider kinds and their registry")
struct ProviderRegistryTests {
    let yaml = """
        providers:
          - name: local
          - name: parrot
            kind: echo
        tiers:
          - name: main
            chain: [local, parrot]
        """

    func error(_ yaml: String, kinds: ProviderRegistry = .standard) -> ConfigError? {
        do {
            _ = try ConfigurationLoader.parse(yaml, source: "test.yaml", kinds: kinds)
            return nil
        } catch {
            return error
        }
    }

    @Test func theStandardRegistryBuildsSimulatedProvidersAndDeclaresTheHTTPKinds() {
        let registry = ProviderRegistry.standard
        #expect(registry.kinds.map(\.name) == ["simulated", "openai-compatible", "anthropic"])
        #expect(registry.factory(for: .simulated) != nil)
        #expect(registry.factory(for: .openAICompatible) == nil)
        #expect(registry.factory(for: .anthropic) == nil)
        #expect(registry.kind(named: "anthropic") == .anthropic)
        #expect(registry.kind(named: "telepathy") == nil)
    }

    @Test func theLoaderRefusesAKindTheRegistryDoesNotHaveWithItsLineAndTheKnownKinds() throws {
        let refused = try #require(error(yaml))
        #expect(refused.key == "providers[1].kind")
        #expect(refused.line == 4)
        #expect(refused.message == "unknown provider kind 'echo'; expected one of: simulated, openai-compatible, anthropic")

        let registry = ProviderRegistry.standard.registering(.echo) { configuration, _ in ScriptedProvider(configuration.name) }
        let misspelt = try #require(error(yaml.replacingOccurrences(of: "kind: echo", with: "kind: ekho"), kinds: registry))
        #expect(misspelt.message == "unknown provider kind 'ekho'; expected one of: simulated, openai-compatible, anthropic, echo")
    }

    @Test func aRegisteredKindLoadsWithItsDefaultsAndTheEngineBuildsItWithItsFactory() throws {
        let seen = SeenContexts()
        let registry = ProviderRegistry.standard.registering(.echo) { configuration, context in
            seen.contexts.withLock { $0[configuration.name] = context }
            return ScriptedProvider(configuration.name)
        }
        let configuration = try ConfigurationLoader.parse(yaml, source: "test.yaml", kinds: registry)
        let parrot = try #require(configuration.provider(named: "parrot"))
        #expect(parrot.kind == .echo)
        #expect(parrot.capabilities == [.tools])

        let engine = try ServingEngine(configuration: configuration, registry: registry)
        #expect(engine.providers["parrot"] is ScriptedProvider)
        #expect(engine.providers["local"] is SimulatedProvider)
        let context = try #require(seen.contexts.withLock { $0["parrot"] })
        #expect(context.index == 1)
        #expect(context.source == "test.yaml")
        #expect(context.seed == configuration.traffic.seed &+ 1)
    }

    @Test func registeringAKindAgainReplacesItsFactoryInPlace() {
        let registry = ProviderRegistry.standard.registering(.openAICompatible) { configuration, _ in ScriptedProvider(configuration.name) }
        #expect(registry.kinds.map(\.name) == ["simulated", "openai-compatible", "anthropic"])
        #expect(registry.factory(for: .openAICompatible) != nil)
        #expect(registry.declaring(.openAICompatible).factory(for: .openAICompatible) != nil, "declaring keeps a factory")
    }

    @Test func kindsAreEqualByName() {
        let twin = ProviderKind(name: "anthropic", defaultCapabilities: [])
        #expect(twin == .anthropic)
        #expect(Set([twin, .anthropic]).count == 1)
        #expect(ProviderKind.openAICompatible != .anthropic)
    }

    @Test func kindSpecificKeysNameTheKindsThatTakeThem() throws {
        let remote = """
            providers:
              - name: vllm
                kind: openai-compatible
                base_url: http://127.0.0.1:8000/v1
              - name: claude
                kind: anthropic
                base_url: https://api.anthropic.com/v1
            tiers:
              - name: main
                chain: [vllm, claude]
            """
        let streamed = error(remote.replacingOccurrences(of: "    base_url: https://api.anthropic.com/v1\n", with: "    base_url: https://api.anthropic.com/v1\n    stream_upstream: always\n"))
        #expect(streamed?.message == "only openai-compatible providers can be called without a stream; remove it")
        let capped = error(remote.replacingOccurrences(of: "    base_url: http://127.0.0.1:8000/v1\n", with: "    base_url: http://127.0.0.1:8000/v1\n    default_max_tokens: 100\n"))
        #expect(capped?.message == "only anthropic providers need a default max_tokens (the Messages API requires one); remove it")
        let simulatedWithURL = error("providers:\n  - name: a\n    base_url: http://x.example\ntiers:\n  - name: t\n    chain: [a]\n")
        #expect(simulatedWithURL?.message == "a simulated provider has no base_url; remove it, or set kind to openai-compatible or anthropic")
        let simulatedChecked = error("providers:\n  - name: a\n    health_check: { interval_ms: 1000 }\ntiers:\n  - name: t\n    chain: [a]\n")
        #expect(simulatedChecked?.message == "health checks are for remote providers (openai-compatible, anthropic); simulated providers are tracked passively")
        let noURL = error("providers:\n  - name: claude\n    kind: anthropic\ntiers:\n  - name: t\n    chain: [claude]\n")
        #expect(noURL?.message == "a anthropic provider needs 'base_url', e.g. https://api.anthropic.com/v1")
    }
}
