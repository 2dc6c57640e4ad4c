extension ConfigurationLoader {
    /// `shared_state.on_unavailable: open|closed`, which the engine's tenant limiter follows; the
    /// rest of the section (the database) is the SharedState module's to read.
    static func readUnavailablePolicy(_ section: inout YAMLReader) throws(ConfigError) -> UnavailablePolicy {
        var policy = UnavailablePolicy.open
        if section.has("on_unavailable") {
            let value = try section.string("on_unavailable")
            guard let parsed = UnavailablePolicy(rawValue: value) else {
                throw section.error("on_unavailable", "expected open (keep serving on each replica's own limits) or closed (hold tenants to what was leased), got '\(value)'")
            }
            policy = parsed
        }
        return policy
    }
}
