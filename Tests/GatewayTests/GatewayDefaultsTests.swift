import Testing
import Gateway

@Suite("Gateway defaults")
struct GatewayDefaultsTests {
    @Test func theDefaultListenAddressIsLoopbackOnly() {
        // Without API keys everything is one tenant, so the default must not be reachable from other hosts.
        #expect(Gateway.defaultListenAddress.hasPrefix("127.0.0.1:"))
    }
}
