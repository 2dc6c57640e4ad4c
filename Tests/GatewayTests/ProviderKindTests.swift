import AsyncHTTPClient
import Foundation
@testable import Gateway
import Logging
import ServiceLifecycle
import ServingEngine
import Testing

@Suite("Provider kinds of the gateway")
struct ProviderKindTests {
    @Test func theGatewayRegistryBuildsEveryKindItDeclares() {
        #expect(ProviderRegistry.gateway.kinds.map(\.name) == ["simulated", "openai-compatible", "anthropic"])
        let remote = RemoteProviders(source: "test.yaml", environment: [:])
        defer { Task { try? await remote.shutdown() } }
        #expect(remote.registry.kinds == ProviderRegistry.gateway.kinds)
        for kind in ProviderRegistry.gateway.kinds {
            #expect(remote.registry.factory(for: kind) != nil, "\(kind) is built")
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
            #expect(error.message == "a simulated provider is not built over HTTP; the gateway builds: openai-compatible, anthropic")
        }
    }
}
