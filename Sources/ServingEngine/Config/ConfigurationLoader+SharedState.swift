import Foundation

extension ConfigurationLoader {
    /// `shared_state: { url: postgres://…, url_env: NAME, on_unavailable: open|closed }`: one of
    /// the first two, or neither when only `on_unavailable` is given (`--state` names the database).
    static func readSharedState(_ section: inout YAMLReader) throws(ConfigError) -> SharedStateConfiguration {
        let url = section.has("url") ? try section.string("url") : nil
        let variable = section.has("url_env") ? try section.string("url_env") : nil
        var policy = UnavailablePolicy.open
        if section.has("on_unavailable") {
            let value = try section.string("on_unavailable")
            guard let parsed = UnavailablePolicy(rawValue: value) else {
                throw section.error("on_unavailable", "expected open (keep serving on each replica's own limits) or closed (hold tenants to what was leased), got '\(value)'")
            }
            policy = parsed
        }
        try section.finish(known: ["url", "url_env", "on_unavailable"])
        switch (url, variable) {
        case (nil, nil):
            if section.has("on_unavailable") { return SharedStateConfiguration(onUnavailable: policy) }
            throw section.error("url", "missing; expected url: postgres://USER@HOST/DATABASE or url_env: NAME")
        case (.some, .some):
            throw section.error("url", "give url or url_env, not both")
        case (.some(let url), nil):
            if URLComponents(string: url)?.password != nil {
                throw section.error("url", "a password does not belong in the configuration file; put it in PGPASSWORD, or the whole URL in an environment variable named by url_env")
            }
            return SharedStateConfiguration(url: url, onUnavailable: policy)
        case (nil, .some(let name)):
            return SharedStateConfiguration(urlEnvironmentVariable: name, onUnavailable: policy)
        }
    }
}
