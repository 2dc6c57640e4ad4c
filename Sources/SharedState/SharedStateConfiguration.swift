package import ServingEngine

/// Where a fleet's shared state lives, as the configuration file names it (`shared_state`).
///
/// The URL comes from `url` (without a password: give it in `PGPASSWORD`) or from the
/// environment variable `url_env` names, so that secrets never sit in the file. What tenants'
/// limits do while the database cannot be reached (`on_unavailable`) is the engine's:
/// ``ServingEngine/EngineConfiguration/onSharedStateUnavailable``.
package struct SharedStateConfiguration: Sendable, Hashable {
    /// `postgres://USER@HOST[:PORT]/DATABASE`, without a password.
    package var url: String?
    /// The NAME of an environment variable holding the URL.
    package var urlEnvironmentVariable: String?

    /// Creates a configuration; both nil means the replica runs alone (unless `--state` names a database).
    package init(url: String? = nil, urlEnvironmentVariable: String? = nil) {
        self.url = url
        self.urlEnvironmentVariable = urlEnvironmentVariable
    }

    /// The URL to use, or nil when shared state is off.
    /// - Throws: ``ConfigError`` when `url_env` names a variable that is not set.
    package func resolvedURL(environment: [String: String], source: String) throws(ConfigError) -> String? {
        if let url { return url }
        guard let name = urlEnvironmentVariable else { return nil }
        guard let value = environment[name], !value.isEmpty else {
            throw ConfigError(file: source, key: "shared_state.url_env", message: "the environment variable \(name) is not set; set it to postgres://USER:PASSWORD@HOST/DATABASE, or remove shared_state")
        }
        return value
    }
}
