import Foundation

extension ConfigurationLoader {
    /// `shared_state: { url: postgres://…, url_env: NAME }`: one of the two.
    static func readSharedState(_ section: inout YAMLReader) throws(ConfigError) -> SharedStateConfiguration {
        let url = section.has("url") ? try section.string("url") : nil
        let variable = section.has("url_env") ? try section.string("url_env") : nil
        try section.finish(known: ["url", "url_env"])
        switch (url, variable) {
        case (nil, nil):
            throw section.error("url", "missing; expected url: postgres://USER@HOST/DATABASE or url_env: NAME")
        case (.some, .some):
            throw section.error("url", "give url or url_env, not both")
        case (.some(let url), nil):
            if URLComponents(string: url)?.password != nil {
                throw section.error("url", "a password does not belong in the configuration file; put it in PGPASSWORD, or the whole URL in an environment variable named by url_env")
            }
            return SharedStateConfiguration(url: url)
        case (nil, .some(let name)):
            return SharedStateConfiguration(urlEnvironmentVariable: name)
        }
    }
}
