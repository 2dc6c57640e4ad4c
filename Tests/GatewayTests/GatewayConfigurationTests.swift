import Gateway
import ServingEngine
import Testing

/// The `gateway` section, read by the Gateway module from what the engine's loader kept.
@Suite("Gateway settings in the configuration")
struct GatewayConfigurationTests {
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
          drain_linger_ms: 400
          log_prompts: true
        """

    func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try GatewayConfiguration(ConfigurationLoader.parse(yaml, source: "test.yaml"))
            return nil
        } catch {
            return error
        }
    }

    @Test func gatewaySettingsAreRead() throws {
        let gateway = try GatewayConfiguration(ConfigurationLoader.parse(remote, source: "test.yaml"))
        #expect(gateway.listen == "0.0.0.0:9090")
        #expect(gateway.apiKeys == [.init(environmentVariable: "ACME_KEY", tenant: "acme"), .init(environmentVariable: "GLOBEX_KEY", tenant: "globex")])
        #expect(gateway.adminTokenEnvironmentVariable == "SWITCHBOARD_ADMIN_TOKEN")
        #expect(gateway.maxBodyBytes == 65536)
        #expect(gateway.shutdownGrace == .milliseconds(2500))
        #expect(gateway.drainLinger == .milliseconds(400))
        #expect(gateway.logPrompts)
    }

    @Test func withoutAGatewaySectionTheDefaultsAreSafe() throws {
        let gateway = try GatewayConfiguration(ConfigurationLoader.parse("providers:\n  - name: a\ntiers:\n  - name: t\n    chain: [a]\n", source: "test.yaml"))
        #expect(gateway.listen == nil)
        #expect(gateway.apiKeys.isEmpty)
        #expect(gateway.maxBodyBytes == 1 << 20)
        #expect(gateway.drainLinger == .seconds(1))
        #expect(!gateway.logPrompts)
    }

    @Test func badListenAddressesKeysAndVariablesAreNamed() throws {
        #expect(error(remote.replacingOccurrences(of: "listen: 0.0.0.0:9090", with: "listen: everywhere"))?.key == "gateway.listen")
        #expect(error(remote.replacingOccurrences(of: "log_prompts", with: "log_prompt"))?.message.contains("did you mean 'log_prompts'") == true)
        #expect(error(remote.replacingOccurrences(of: "GLOBEX_KEY", with: "ACME_KEY"))?.key == "gateway.api_keys[1].key_env")
        #expect(error(remote.replacingOccurrences(of: "drain_linger_ms: 400", with: "drain_linger_ms: -1"))?.key == "gateway.drain_linger_ms")
    }
}
