import Foundation
package import ServingEngine

extension SharedStateConfiguration {
    /// Reads the `shared_state` section of `configuration`'s file: `shared_state: { url:
    /// postgres://…, url_env: NAME, on_unavailable: open|closed }`, one of the first two, or
    /// neither when only `on_unavailable` is given (`--state` names the database). Without the
    /// section, the replica runs alone.
    ///
    /// - Throws: ``ConfigError`` with the file, line and key, as the engine's loader does.
    package init(_ configuration: EngineConfiguration) throws(ConfigError) {
        guard var section = configuration.section("shared_state")?.yaml else {
            self.init()
            return
        }
        self = try Self.read(&section)
    }

    private static func read(_ section: inout YAMLReader) throws(ConfigError) -> SharedStateConfiguration {
        let url = section.has("url") ? try section.string("url") : nil
        let variable = section.has("url_env") ? try section.string("url_env") : nil
        // The engine read (and checked) on_unavailable.
        if section.has("on_unavailable") { _ = try section.string("on_unavailable") }
        try section.finish(known: ["url", "url_env", "on_unavailable"])
        switch (url, variable) {
        case (nil, nil):
            if section.has("on_unavailable") { return SharedStateConfiguration() }
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
