import Foundation

extension ConfigurationLoader {
    /// Reads `router.strategy`, `router.model` and `router.routes`.
    static func readRouter(_ router: inout YAMLReader) throws(ConfigError) -> RouterConfiguration {
        var configuration = RouterConfiguration()
        let strategy = try router.string("strategy", default: "rules")
        switch strategy {
        case "rules":
            if router.has("model") {
                throw router.error("model", "a model file is only used with 'strategy: learned'")
            }
        case "learned":
            let path = try router.string("model", default: LearnedRouterModel.builtInName)
            do {
                let model = path == LearnedRouterModel.builtInName
                    ? try LearnedRouterModel.builtIn()
                    : try LearnedRouterModel.load(path: Self.resolve(path, relativeTo: router.file))
                configuration.strategy = .learned(model, path: path)
            } catch {
                throw router.error("model", error.message)
            }
        default:
            throw router.error("strategy", "unknown strategy '\(strategy)'; expected rules or learned")
        }
        for var item in try router.list("routes") {
            configuration.routes.append(SemanticRoute(
                name: try item.string("name"),
                target: try item.string("target"),
                minSimilarity: try item.double("min_similarity", default: 0.8, in: 0...1),
                examples: try item.strings("examples")
            ))
            if configuration.routes[configuration.routes.count - 1].examples.isEmpty {
                throw item.error("examples", "a route needs at least one example utterance")
            }
            try item.finish(known: ["name", "target", "min_similarity", "examples"])
        }
        return configuration
    }

    /// A path from a configuration file, taken relative to the file's folder when not absolute.
    static func resolve(_ path: String, relativeTo file: String) -> String {
        guard !path.hasPrefix("/"), file != "built-in" else { return path }
        return URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(path).path
    }
}
