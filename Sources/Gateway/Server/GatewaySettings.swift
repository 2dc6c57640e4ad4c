import ServingEngine

/// The gateway's resolved settings: where to listen, which keys map to which tenants, limits.
///
/// Built from ``GatewayConfiguration`` by ``resolve(_:listen:allowUnauthenticated:environment:)``,
/// which reads the secrets from the environment variables the configuration names.
package struct GatewaySettings: Sendable {
    /// Where to listen.
    package var address: GatewayAddress
    /// Gateway API keys and their tenants; empty means no authentication and one tenant.
    package var apiKeys: [String: String]
    /// The admin API's bearer token, if it is protected.
    package var adminToken: String?
    /// The largest request body accepted, in bytes.
    package var maxBodyBytes: Int
    /// How long in-flight requests may run after a shutdown signal.
    package var shutdownGrace: Duration
    /// How long, after a shutdown signal, a connection with nothing in flight waits for a request
    /// its client may already have sent; see ``effectiveDrainLinger``.
    package var drainLinger: Duration
    /// Whether request log lines carry the prompt.
    package var logPrompts: Bool
    /// The most bytes of request headers accepted; beyond, 431.
    package var maxHeaderBytes: Int
    /// The most messages in one chat request; beyond, 400.
    package var maxMessages: Int
    /// The most UTF-8 bytes of message content in one chat request; beyond, 400.
    package var maxPromptBytes: Int
    /// The most requests one API key (or, without keys, everyone) may have in flight; beyond, 429.
    package var maxConcurrentPerKey: Int

    /// Creates settings directly (tests, the dashboard); the defaults are
    /// ``GatewayConfiguration``'s.
    package init(address: GatewayAddress = GatewayAddress(host: "127.0.0.1", port: 8080), apiKeys: [String: String] = [:], adminToken: String? = nil, maxBodyBytes: Int = 1 << 20, shutdownGrace: Duration = .seconds(10), drainLinger: Duration = GatewayConfiguration().drainLinger, logPrompts: Bool = false, maxHeaderBytes: Int = GatewayConfiguration().maxHeaderBytes, maxMessages: Int = GatewayConfiguration().maxMessages, maxPromptBytes: Int = GatewayConfiguration().maxPromptBytes, maxConcurrentPerKey: Int = GatewayConfiguration().maxConcurrentPerKey) {
        self.address = address
        self.apiKeys = apiKeys
        self.adminToken = adminToken
        self.maxBodyBytes = maxBodyBytes
        self.shutdownGrace = shutdownGrace
        self.drainLinger = drainLinger
        self.logPrompts = logPrompts
        self.maxHeaderBytes = maxHeaderBytes
        self.maxMessages = maxMessages
        self.maxPromptBytes = maxPromptBytes
        self.maxConcurrentPerKey = maxConcurrentPerKey
    }

    /// Resolves configured settings: the listen address (the command line's `listen` wins), the
    /// keys and admin token read from their environment variables, and the loopback rule.
    ///
    /// - Throws: ``GatewayError`` when an address is malformed, a named variable is unset, or a
    ///   non-loopback address has no API keys and `allowUnauthenticated` is false.
    package static func resolve(_ configuration: GatewayConfiguration, listen: String?, allowUnauthenticated: Bool, environment: [String: String]) throws(GatewayError) -> GatewaySettings {
        let address = try GatewayAddress(parsing: listen ?? configuration.listen ?? Gateway.defaultListenAddress)
        var keys: [String: String] = [:]
        for key in configuration.apiKeys {
            guard let value = environment[key.environmentVariable], !value.isEmpty else {
                throw .missingSecret(variable: key.environmentVariable, purpose: "the gateway API key of tenant \(key.tenant)")
            }
            keys[value] = key.tenant
        }
        var adminToken: String?
        if let variable = configuration.adminTokenEnvironmentVariable {
            guard let value = environment[variable], !value.isEmpty else {
                throw .missingSecret(variable: variable, purpose: "the admin API token")
            }
            adminToken = value
        }
        if keys.isEmpty, !address.isLoopback, !allowUnauthenticated {
            throw .unauthenticatedExposure(address.description)
        }
        return GatewaySettings(
            address: address, apiKeys: keys, adminToken: adminToken, maxBodyBytes: configuration.maxBodyBytes, shutdownGrace: configuration.shutdownGrace, drainLinger: configuration.drainLinger, logPrompts: configuration.logPrompts,
            maxHeaderBytes: configuration.maxHeaderBytes, maxMessages: configuration.maxMessages, maxPromptBytes: configuration.maxPromptBytes, maxConcurrentPerKey: configuration.maxConcurrentPerKey)
    }

    /// The linger a drain uses: ``drainLinger``, but at most half the shutdown grace, so that a
    /// request taken in the linger still has the other half to be answered.
    package var effectiveDrainLinger: Duration {
        min(drainLinger, shutdownGrace / 2)
    }
}
