import Gateway
import ServingEngine
import Testing

/// The gateway's request limits: read from `gateway:`, safe by default, and out-of-range values
/// refused with the key, line and range.
@Suite("Gateway limits in the configuration")
struct GatewayLimitsConfigurationTests {
    static let base = "providers:\n  - name: a\ntiers:\n  - name: t\n    chain: [a]\n"

    @Test func theLimitsAreReadFromTheGatewaySection() throws {
        let yaml = Self.base + """
            gateway:
              max_body_bytes: 2048
              max_header_bytes: 4096
              max_messages: 16
              max_prompt_bytes: 1000
              max_concurrent_per_key: 3
              max_upstream_response_bytes: 65536
            """
        let gateway = try GatewayConfiguration(ConfigurationLoader.parse(yaml, source: "limits.yaml"))
        #expect(gateway.maxBodyBytes == 2048)
        #expect(gateway.maxHeaderBytes == 4096)
        #expect(gateway.maxMessages == 16)
        #expect(gateway.maxPromptBytes == 1000)
        #expect(gateway.maxConcurrentPerKey == 3)
        #expect(gateway.maxUpstreamResponseBytes == 65536)
    }

    @Test func theDefaultsAreTheDocumentedOnes() throws {
        let gateway = try GatewayConfiguration(ConfigurationLoader.parse(Self.base, source: "limits.yaml"))
        #expect(gateway.maxBodyBytes == 1 << 20)
        #expect(gateway.maxHeaderBytes == 16 << 10)
        #expect(gateway.maxMessages == 1024)
        #expect(gateway.maxPromptBytes == 512 << 10)
        #expect(gateway.maxConcurrentPerKey == 128)
        #expect(gateway.maxUpstreamResponseBytes == 16 << 20)
    }

    @Test(arguments: [
        ("max_header_bytes: 100", "max_header_bytes", "1024 to 65536"),
        ("max_header_bytes: 1000000", "max_header_bytes", "1024 to 65536"),
        ("max_messages: 0", "max_messages", "1 to 1000000"),
        ("max_prompt_bytes: lots", "max_prompt_bytes", "whole number"),
        ("max_concurrent_per_key: -1", "max_concurrent_per_key", "1 to 1000000"),
        ("max_upstream_response_bytes: 10", "max_upstream_response_bytes", "1024 to 1073741824"),
        ("max_concurent_per_key: 4", "max_concurent_per_key", "unknown key"),
    ])
    func outOfRangeValuesAreRefusedWithKeyAndLine(setting: String, key: String, expected: String) {
        do {
            _ = try GatewayConfiguration(ConfigurationLoader.parse(Self.base + "gateway:\n  \(setting)\n", source: "limits.yaml"))
            Issue.record("'\(setting)' was accepted")
        } catch {
            #expect(error.key.hasSuffix(key), "\(error.description)")
            #expect(error.line == 7, "\(error.description)")
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}
