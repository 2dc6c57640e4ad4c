/// The HTTP gateway's settings, as configured (secrets are named by environment variable).
package struct GatewayConfiguration: Sendable, Hashable {
    /// `HOST:PORT` to listen on, when the command line gives none.
    package var listen: String?
    /// Gateway API keys, each mapped to a tenant. Empty means no authentication (one tenant).
    package var apiKeys: [APIKey]
    /// The NAME of the environment variable holding the admin token, if the admin API is protected.
    package var adminTokenEnvironmentVariable: String?
    /// The largest request body accepted, in bytes.
    package var maxBodyBytes: Int
    /// How long in-flight requests may run after a shutdown signal.
    package var shutdownGrace: Duration
    /// How long, after a shutdown signal, a kept-alive connection with nothing in flight stays
    /// open for a request its client may already have sent (served with `Connection: close`).
    package var drainLinger: Duration
    /// Whether request log lines include the prompt text (off by default: prompts can be private).
    package var logPrompts: Bool
    /// The most bytes of request headers accepted (beyond: 431).
    package var maxHeaderBytes: Int
    /// The most messages one chat request may carry (beyond: 400).
    package var maxMessages: Int
    /// The most UTF-8 bytes of message content one chat request may carry (beyond: 400).
    package var maxPromptBytes: Int
    /// The most requests one API key may have in flight at once (beyond: 429).
    package var maxConcurrentPerKey: Int
    /// The most bytes a provider's response (body or stream) may have before the attempt fails.
    package var maxUpstreamResponseBytes: Int

    /// One gateway API key: the environment variable holding it, and its tenant.
    package struct APIKey: Sendable, Hashable {
        /// The NAME of the environment variable holding the key.
        package var environmentVariable: String
        /// The tenant requests with this key belong to.
        package var tenant: String

        /// Creates a key entry.
        package init(environmentVariable: String, tenant: String) {
            self.environmentVariable = environmentVariable
            self.tenant = tenant
        }
    }

    /// Creates gateway settings; by default no keys, 1 MiB bodies, 16 KiB of headers, 1,024
    /// messages, 512 KiB of prompt, 128 requests in flight per key, 16 MiB upstream responses,
    /// 10 s of shutdown grace and a 1 s drain linger.
    package init(listen: String? = nil, apiKeys: [APIKey] = [], adminTokenEnvironmentVariable: String? = nil, maxBodyBytes: Int = 1 << 20, shutdownGrace: Duration = .seconds(10), drainLinger: Duration = .seconds(1), logPrompts: Bool = false, maxHeaderBytes: Int = 16 << 10, maxMessages: Int = 1024, maxPromptBytes: Int = 512 << 10, maxConcurrentPerKey: Int = 128, maxUpstreamResponseBytes: Int = 16 << 20) {
        self.listen = listen
        self.apiKeys = apiKeys
        self.adminTokenEnvironmentVariable = adminTokenEnvironmentVariable
        self.maxBodyBytes = maxBodyBytes
        self.shutdownGrace = shutdownGrace
        self.drainLinger = drainLinger
        self.logPrompts = logPrompts
        self.maxHeaderBytes = maxHeaderBytes
        self.maxMessages = maxMessages
        self.maxPromptBytes = maxPromptBytes
        self.maxConcurrentPerKey = maxConcurrentPerKey
        self.maxUpstreamResponseBytes = maxUpstreamResponseBytes
    }
}
