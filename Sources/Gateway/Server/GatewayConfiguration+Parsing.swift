package import ServingEngine

extension GatewayConfiguration {
    /// Reads the `gateway` section of `configuration`'s file; without one, the defaults (no
    /// keys, loopback, the documented limits).
    ///
    /// - Throws: ``ConfigError`` with the file, line and key, as the engine's loader does.
    package init(_ configuration: EngineConfiguration) throws(ConfigError) {
        guard var section = configuration.section("gateway")?.yaml else {
            self.init()
            return
        }
        self = try Self.read(&section)
        try validate(source: configuration.source)
    }

    private static func read(_ section: inout YAMLReader) throws(ConfigError) -> GatewayConfiguration {
        var gateway = GatewayConfiguration()
        if section.has("listen") {
            let listen = try section.string("listen")
            guard let colon = listen.lastIndex(of: ":"), !listen[..<colon].isEmpty, let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port) else {
                throw section.error("listen", "expected HOST:PORT, e.g. 127.0.0.1:8080, got '\(listen)'")
            }
            gateway.listen = listen
        }
        for var key in try section.list("api_keys") {
            let variable = try key.string("key_env")
            guard ConfigurationLoader.isEnvironmentVariableName(variable) else {
                throw key.error("key_env", "expected the NAME of an environment variable holding the key (letters, digits and '_'), not the key itself")
            }
            let tenant = try key.string("tenant")
            guard EngineConfiguration.isValidName(tenant) else {
                throw key.error("tenant", "'\(tenant)' is not a valid tenant name; use letters, digits, '-', '_' or '.'")
            }
            gateway.apiKeys.append(.init(environmentVariable: variable, tenant: tenant))
            try key.finish(known: ["key_env", "tenant"])
        }
        if section.has("admin_token_env") {
            let variable = try section.string("admin_token_env")
            guard ConfigurationLoader.isEnvironmentVariableName(variable) else {
                throw section.error("admin_token_env", "expected the NAME of an environment variable holding the admin token (letters, digits and '_')")
            }
            gateway.adminTokenEnvironmentVariable = variable
        }
        gateway.maxBodyBytes = try section.int("max_body_bytes", default: gateway.maxBodyBytes, in: 1024...1_073_741_824, unit: " bytes")
        gateway.shutdownGrace = try section.milliseconds("shutdown_grace_ms", default: gateway.shutdownGrace, in: 0...600_000)
        gateway.drainLinger = try section.milliseconds("drain_linger_ms", default: gateway.drainLinger, in: 0...600_000)
        gateway.logPrompts = try section.bool("log_prompts", default: gateway.logPrompts)
        // Above 64 KiB the HTTP parser's own limit (80 KiB) would answer before the gateway could.
        gateway.maxHeaderBytes = try section.int("max_header_bytes", default: gateway.maxHeaderBytes, in: 1024...65_536, unit: " bytes")
        gateway.maxMessages = try section.int("max_messages", default: gateway.maxMessages, in: 1...1_000_000)
        gateway.maxPromptBytes = try section.int("max_prompt_bytes", default: gateway.maxPromptBytes, in: 1...1_073_741_824, unit: " bytes")
        gateway.maxConcurrentPerKey = try section.int("max_concurrent_per_key", default: gateway.maxConcurrentPerKey, in: 1...1_000_000)
        gateway.maxUpstreamResponseBytes = try section.int("max_upstream_response_bytes", default: gateway.maxUpstreamResponseBytes, in: 1024...1_073_741_824, unit: " bytes")
        try section.finish(known: ["listen", "api_keys", "admin_token_env", "max_body_bytes", "shutdown_grace_ms", "drain_linger_ms", "log_prompts", "max_header_bytes", "max_messages", "max_prompt_bytes", "max_concurrent_per_key", "max_upstream_response_bytes"])
        return gateway
    }

    /// Checks what spans entries: each API key has a variable of its own.
    private func validate(source: String) throws(ConfigError) {
        var keyVariables = Set<String>()
        for (index, key) in apiKeys.enumerated() where !keyVariables.insert(key.environmentVariable).inserted {
            throw ConfigError(file: source, key: "gateway.api_keys[\(index)].key_env", message: "the variable \(key.environmentVariable) is already used by another key; each key needs its own variable")
        }
    }
}
