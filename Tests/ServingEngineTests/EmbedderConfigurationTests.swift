import Foundation
import Testing
@testable import ServingEngine

@Suite("Embedder configuration")
struct EmbedderConfigurationTests {
    let base = """
        providers:
          - name: local
        tiers:
          - name: small
            chain: [local]
        cache:

        """

    func parse(_ cache: String) throws(ConfigError) -> EngineConfiguration {
        try ConfigurationLoader.parse(base + cache, source: "test.yaml")
    }

    @Test func theBuiltInConfigurationChoosesAutomatically() {
        #expect(EngineConfiguration.builtIn.embedder.kind == .auto)
        #expect(EngineConfiguration.builtIn.embedder.modelFolder == EmbedderConfiguration.defaultMiniLMFolder)
    }

    @Test func autoFallsBackToHashingWhenTheModelFolderIsAbsent() throws {
        let configuration = EmbedderConfiguration(kind: .auto, modelFolder: "/nonexistent/\(UUID())")
        let embedder = try configuration.makeLocalEmbedder(file: "test.yaml")
        #expect(embedder?.name == "hashing")
    }

    @Test func anUnknownEmbedderListsTheKnownOnes() {
        #expect {
            _ = try parse("  embedder: bert\n")
        } throws: { error in
            let text = "\(error)"
            return text.contains("cache.embedder") && text.contains("unknown embedder 'bert'") && text.contains("hashing, minilm, remote")
        }
    }

    @Test func aRemoteEmbedderIsReadWithItsTimeout() throws {
        let configuration = try parse("""
              embedder: remote
              remote_embedder:
                base_url: http://127.0.0.1:9000/v1
                model: text-embedding-3-small
                dimensions: 512
                api_key_env: EMBEDDINGS_KEY
                timeout_ms: 80

            """)
        #expect(configuration.embedder.kind == .remote)
        #expect(configuration.embedder.remote == .init(baseURL: "http://127.0.0.1:9000/v1", model: "text-embedding-3-small", dimensions: 512, apiKeyEnvironmentVariable: "EMBEDDINGS_KEY", timeout: .milliseconds(80)))
    }

    @Test func aRemoteEmbedderWithoutItsEndpointIsAnError() {
        #expect {
            _ = try parse("  embedder: remote\n")
        } throws: { error in "\(error)".contains("needs a remote_embedder mapping") }
    }

    @Test func aRemoteEmbedderMustStateItsDimensions() {
        #expect {
            _ = try parse("  embedder: remote\n  remote_embedder: { base_url: 'http://x/v1', model: m }\n")
        } throws: { error in "\(error)".contains("cache.remote_embedder.dimensions") }
    }

    @Test func aRemoteEmbedderNeedsTheGatewayToBuildIt() throws {
        let configuration = try parse("  embedder: remote\n  remote_embedder: { base_url: 'http://x/v1', model: m, dimensions: 8 }\n")
        #expect {
            _ = try ServingEngine(configuration: configuration)
        } throws: { error in "\(error)".contains("remote embedder needs the HTTP client") }
    }
}
