import Foundation
import Yams

/// Reads a deployment's YAML configuration into an ``EngineConfiguration``.
///
/// Every error names the file, line, column and key, and says what was expected. Keys that
/// are not understood are errors (with a suggestion), so a typo never silently falls back to a
/// default. Secrets are never read from the file: providers name environment variables.
public enum ConfigurationLoader {
    /// Loads and validates the file at `path`; its providers may be of the kinds `kinds` registers.
    public static func load(path: String, kinds: ProviderRegistry = .standard) throws(ConfigError) -> EngineConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, key: "", message: "cannot read the file (\(Self.reason(error))); check the path and its permissions")
        }
        return try parse(text, source: path, kinds: kinds)
    }

    /// Parses and validates YAML text; `source` names it in errors, and its providers may be of the
    /// kinds `kinds` registers.
    public static func parse(_ text: String, source: String, kinds: ProviderRegistry = .standard) throws(ConfigError) -> EngineConfiguration {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: source, line: 1, key: "", message: "the file is empty; it needs at least 'providers' and 'tiers'")
            }
            root = node
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            throw Self.syntaxError(error, source: source)
        } catch {
            throw ConfigError(file: source, key: "", message: "not valid YAML: \(error)")
        }
        var reader = try YAMLReader(file: source, path: "", node: root)
        let configuration = try read(&reader, kinds: kinds)
        try reader.finish(known: ["providers", "tiers", "models", "router", "frontier_tier", "cache", "resilience", "traffic", "gateway", "shared_state", "tenants"])
        try configuration.validate()
        return configuration
    }

    private static func read(_ reader: inout YAMLReader, kinds: ProviderRegistry) throws(ConfigError) -> EngineConfiguration {
        let source = reader.file
        _ = try reader.required("providers", "a list of providers, each with at least 'name' and 'model'")
        var providers: [ProviderConfiguration] = []
        for var item in try reader.list("providers") {
            providers.append(try readProvider(&item, kinds: kinds))
        }
        _ = try reader.required("tiers", "a list of tiers, each with 'name' and 'chain'")
        var tiers: [TierConfiguration] = []
        for var item in try reader.list("tiers") {
            let balanceName = try item.string("balance", default: TierConfiguration.Balance.priority.rawValue)
            guard let balance = TierConfiguration.Balance(rawValue: balanceName) else {
                throw item.error("balance", "unknown balance '\(balanceName)'; expected one of: \(TierConfiguration.Balance.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tiers.append(TierConfiguration(name: try item.string("name"), chain: try item.strings("chain"), balance: balance))
            try item.finish(known: ["name", "chain", "balance"])
        }
        var models: [TierConfiguration] = []
        for var item in try reader.list("models") {
            models.append(TierConfiguration(name: try item.string("name"), chain: try item.strings("chain")))
            try item.finish(known: ["name", "chain"])
        }
        var thresholds: [ComplexityRouter.Threshold] = []
        var routerConfiguration = RouterConfiguration()
        if var router = try reader.mapping("router") {
            for var item in try router.list("thresholds") {
                thresholds.append(.init(tier: try item.string("tier"), upTo: try item.double("up_to", default: 1, in: 0...1)))
                try item.finish(known: ["tier", "up_to"])
            }
            routerConfiguration = try readRouter(&router)
            try router.finish(known: ["thresholds", "strategy", "model", "routes"])
        }
        if thresholds.isEmpty {
            // Without thresholds, everything goes to the last (most capable) tier.
            thresholds = tiers.last.map { [.init(tier: $0.name, upTo: 1)] } ?? []
        }
        let frontier = try reader.string("frontier_tier", default: tiers.last?.name ?? "")

        var cache = SemanticCache.Settings()
        var embedder = EmbedderConfiguration()
        var decision = CacheDecisionConfiguration()
        if var section = try reader.mapping("cache") {
            cache.enabled = try section.bool("enabled", default: cache.enabled)
            embedder = try readEmbedder(&section)
            decision = try readCacheDecision(&section)
            cache.timeToLive = try section.seconds("ttl_seconds", default: cache.timeToLive, in: 1...31_536_000)
            cache.maxEntries = try section.int("max_entries", default: cache.maxEntries, in: 1...100_000_000)
            cache.maxBytes = Int(try section.double("max_memory_mb", default: Double(cache.maxBytes >> 20), in: 1...1_048_576, unit: " MiB") * 1_048_576)
            cache.storesToolCalls = try section.bool("store_tool_calls", default: cache.storesToolCalls)
            if section.has("lookup_budget_ms") {
                cache.lookupBudget = try section.milliseconds("lookup_budget_ms", default: .zero, in: 1...60_000)
            }
            if var index = try section.mapping("index") {
                cache.index = try Self.cacheIndex(&index, default: cache.index)
            }
            try section.finish(known: ["enabled", "embedder", "minilm_folder", "remote_embedder", "decision", "similarity_threshold", "target_false_hit_rate", "verifier", "ttl_seconds", "max_entries", "max_memory_mb", "store_tool_calls", "lookup_budget_ms", "index"])
        }

        var resilience = ResilienceConfiguration()
        if var section = try reader.mapping("resilience") {
            resilience.deadline = try section.milliseconds("deadline_ms", default: resilience.deadline, in: 1...3_600_000)
            if var retry = try section.mapping("retry") {
                resilience.retry.maxAttemptsPerProvider = try retry.int("max_attempts", default: resilience.retry.maxAttemptsPerProvider, in: 1...10)
                resilience.retry.baseBackoff = try retry.milliseconds("base_backoff_ms", default: resilience.retry.baseBackoff, in: 0...60_000)
                resilience.retry.maxBackoff = try retry.milliseconds("max_backoff_ms", default: resilience.retry.maxBackoff, in: 0...600_000)
                resilience.retry.jitter = try retry.double("jitter", default: resilience.retry.jitter, in: 0...1)
                resilience.retry.maxRetryAfter = try retry.milliseconds("max_retry_after_ms", default: resilience.retry.maxRetryAfter, in: 0...600_000)
                try retry.finish(known: ["max_attempts", "base_backoff_ms", "max_backoff_ms", "jitter", "max_retry_after_ms"])
            }
            if var breaker = try section.mapping("breaker") {
                resilience.breaker.failureThreshold = try breaker.int("failure_threshold", default: resilience.breaker.failureThreshold, in: 1...10_000)
                resilience.breaker.window = try breaker.seconds("window_seconds", default: resilience.breaker.window, in: 0.1...3600)
                resilience.breaker.coolDown = try breaker.seconds("cool_down_seconds", default: resilience.breaker.coolDown, in: 0.01...3600)
                resilience.breaker.maxCoolDown = try breaker.seconds("max_cool_down_seconds", default: max(resilience.breaker.maxCoolDown, resilience.breaker.coolDown), in: 0.01...86_400)
                resilience.breaker.halfOpenProbes = try breaker.int("half_open_probes", default: resilience.breaker.halfOpenProbes, in: 1...1000)
                try breaker.finish(known: ["failure_threshold", "window_seconds", "cool_down_seconds", "max_cool_down_seconds", "half_open_probes"])
            }
            try section.finish(known: ["deadline_ms", "retry", "breaker"])
        }

        var traffic = TrafficConfiguration()
        if var section = try reader.mapping("traffic") {
            traffic.rate = try section.double("rps", default: traffic.rate, in: 0...100_000, unit: " requests per second")
            traffic.seed = UInt64(try section.int("seed", default: Int(traffic.seed), in: 0...Int.max))
            traffic.tenants = try section.strings("tenants", default: traffic.tenants)
            traffic.hardShare = try section.double("hard_share", default: traffic.hardShare, in: 0...1)
            try section.finish(known: ["rps", "seed", "tenants", "hard_share"])
        }

        // The gateway's section is the Gateway module's to read (`GatewayConfiguration`).
        let gateway = try reader.mapping("gateway").map(ConfigurationSection.init)

        var configuration = EngineConfiguration(
            source: source, providers: providers, tiers: tiers, models: models, routerThresholds: thresholds, router: routerConfiguration,
            frontierTier: frontier, cache: cache, embedder: embedder, cacheDecision: decision, resilience: resilience, traffic: traffic
        )
        configuration.sections["gateway"] = gateway
        if let section = try reader.mapping("shared_state") {
            // `on_unavailable` drives the tenant limiter; the database is the SharedState module's.
            var policy = section
            configuration.onSharedStateUnavailable = try readUnavailablePolicy(&policy)
            configuration.sections["shared_state"] = ConfigurationSection(section)
        }
        configuration.tenants = try readTenants(&reader, tiers: tiers.map(\.name))
        return configuration
    }

    private static func readProvider(_ item: inout YAMLReader, kinds: ProviderRegistry) throws(ConfigError) -> ProviderConfiguration {
        let name = try item.string("name")
        let kindName = try item.string("kind", default: ProviderKind.simulated.name)
        guard let kind = kinds.kind(named: kindName) else {
            throw item.error("kind", "unknown provider kind '\(kindName)'; expected one of: \(kinds.kinds.map(\.name).joined(separator: ", "))")
        }
        let remoteKinds = kinds.kinds.filter(\.isRemote).map(\.name)
        var provider = ProviderConfiguration(name: name, kind: kind, model: try item.string("model", default: name), pricing: Pricing(inputPerMillion: 0, outputPerMillion: 0))
        if var price = try item.mapping("price") {
            provider.pricing.inputPerMillion = try price.double("input_per_mtok", default: 0, in: 0...10_000, unit: " USD per million tokens")
            provider.pricing.outputPerMillion = try price.double("output_per_mtok", default: 0, in: 0...10_000, unit: " USD per million tokens")
            try price.finish(known: ["input_per_mtok", "output_per_mtok"])
        }
        provider.timeout = try item.milliseconds("timeout_ms", default: provider.timeout, in: 1...3_600_000)
        provider.maxConcurrency = try item.int("max_concurrency", default: provider.maxConcurrency, in: 1...1_000_000)
        provider.weight = try item.double("weight", default: 1, in: 0.001...1000)
        if var simulation = try item.mapping("simulation") {
            var profile = SimulationProfile()
            profile.timeToFirstToken = try simulation.milliseconds("ttft_ms", default: profile.timeToFirstToken, in: 0...600_000)
            profile.timePerToken = try simulation.milliseconds("per_token_ms", default: profile.timePerToken, in: 0...60_000)
            profile.spread = try simulation.double("spread", default: profile.spread, in: 0...3)
            profile.answerTokens = try simulation.int("answer_tokens", default: profile.answerTokens, in: 1...100_000)
            if var faults = try simulation.mapping("faults") {
                profile.faults.errorRate = try faults.double("error_rate", default: 0, in: 0...1)
                let kinds = try faults.strings("kinds", default: [ProviderFailure.Kind.serverError.rawValue])
                profile.faults.kinds = []
                for kindName in kinds {
                    guard let kind = ProviderFailure.Kind(rawValue: kindName) else {
                        throw faults.error("kinds", "unknown fault kind '\(kindName)'; expected any of: \(ProviderFailure.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    profile.faults.kinds.append(kind)
                }
                profile.faults.slowdown = try faults.double("slowdown", default: 1, in: 0...1000)
                try faults.finish(known: ["error_rate", "kinds", "slowdown"])
            }
            try simulation.finish(known: ["ttft_ms", "per_token_ms", "spread", "answer_tokens", "faults"])
            provider.simulation = profile
        }
        if item.has("base_url") {
            let url = try item.string("base_url")
            guard kind.isRemote else {
                throw item.error("base_url", "a \(kind.name) provider has no base_url; remove it, or set kind to \(alternatives(remoteKinds))")
            }
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > 8 else {
                throw item.error("base_url", "expected an http:// or https:// URL, e.g. http://127.0.0.1:8000/v1, got '\(url)'")
            }
            provider.baseURL = url
        } else if kind.isRemote, let url = kind.defaultBaseURL {
            provider.baseURL = url
        } else if kind.isRemote {
            throw item.error("", "a \(kind.name) provider needs 'base_url', e.g. \(kind.exampleBaseURL)")
        }
        if item.has("api_key_env") {
            let variable = try item.string("api_key_env")
            guard isEnvironmentVariableName(variable) else {
                throw item.error("api_key_env", "expected the NAME of an environment variable (letters, digits and '_', e.g. OPENAI_API_KEY), not the key itself")
            }
            provider.apiKeyEnvironmentVariable = variable
        }
        if var check = try item.mapping("health_check") {
            guard kind.isRemote else {
                throw item.error("health_check", "health checks are for remote providers (\(remoteKinds.joined(separator: ", "))); \(kind.name) providers are tracked passively")
            }
            var settings = HealthCheckConfiguration()
            settings.interval = try check.milliseconds("interval_ms", default: settings.interval, in: 100...3_600_000)
            settings.timeout = try check.milliseconds("timeout_ms", default: settings.timeout, in: 1...600_000)
            try check.finish(known: ["interval_ms", "timeout_ms"])
            provider.healthCheck = settings
        }
        if item.has("capabilities") {
            var declared: Set<ProviderCapability> = []
            for name in try item.strings("capabilities") {
                guard let capability = ProviderCapability.known.first(where: { $0.rawValue == name }) else {
                    throw item.error("capabilities", "unknown capability '\(name)'; expected any of: \(ProviderCapability.known.map(\.rawValue).joined(separator: ", "))")
                }
                declared.insert(capability)
            }
            provider.declaredCapabilities = declared
        }
        provider.dropUnknownFields = try item.bool("drop_unknown_fields", default: false)
        if item.has("default_max_tokens") {
            guard kind.settings.contains(.defaultMaxTokens) else {
                throw item.error("default_max_tokens", "only \(alternatives(kinds, accepting: .defaultMaxTokens)) providers need a default max_tokens (the Messages API requires one); remove it")
            }
            provider.defaultMaxTokens = try item.int("default_max_tokens", default: provider.defaultMaxTokens, in: 1...1_000_000, unit: " tokens")
        }
        if item.has("stream_upstream") {
            guard kind.settings.contains(.streamUpstream) else {
                throw item.error("stream_upstream", "only \(alternatives(kinds, accepting: .streamUpstream)) providers can be called without a stream; remove it")
            }
            let value = try item.string("stream_upstream")
            guard let streaming = ProviderConfiguration.UpstreamStreaming(rawValue: value) else {
                throw item.error("stream_upstream", "expected always or when_client_streams, got '\(value)'")
            }
            provider.upstreamStreaming = streaming
        }
        try item.finish(known: [
            "name", "kind", "model", "price", "timeout_ms", "max_concurrency", "weight", "simulation", "base_url", "api_key_env", "health_check",
            "capabilities", "drop_unknown_fields", "default_max_tokens", "stream_upstream",
        ])
        return provider
    }

    /// "a", "a or b", "a, b or c".
    private static func alternatives(_ names: [String]) -> String {
        guard let last = names.last else { return "another kind" }
        return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " or " + last
    }

    /// The kinds of `kinds` that accept `setting`, as alternatives.
    private static func alternatives(_ kinds: ProviderRegistry, accepting setting: ProviderKind.Setting) -> String {
        alternatives(kinds.kinds.filter { $0.settings.contains(setting) }.map(\.name))
    }

    private static func readCacheDecision(_ section: inout YAMLReader) throws(ConfigError) -> CacheDecisionConfiguration {
        var decision = CacheDecisionConfiguration()
        let name = try section.string("decision", default: decision.kind.rawValue)
        guard let kind = CacheDecisionConfiguration.Kind(rawValue: name) else {
            let names = CacheDecisionConfiguration.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw section.error("decision", "unknown decision rule '\(name)'; expected one of: \(names)")
        }
        decision.kind = kind
        if section.has("similarity_threshold") {
            decision.similarityThreshold = try section.double("similarity_threshold", default: 0, in: 0...1)
        }
        decision.targetFalseHitRate = try section.double("target_false_hit_rate", default: decision.targetFalseHitRate, in: 0.0001...0.5)
        if section.has("verifier") { decision.verifierPath = try section.string("verifier") }
        return decision
    }

    private static func readEmbedder(_ section: inout YAMLReader) throws(ConfigError) -> EmbedderConfiguration {
        var embedder = EmbedderConfiguration()
        let name = try section.string("embedder", default: embedder.kind.rawValue)
        guard let kind = EmbedderConfiguration.Kind(rawValue: name) else {
            let names = EmbedderConfiguration.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw section.error("embedder", "unknown embedder '\(name)'; expected one of: \(names)")
        }
        embedder.kind = kind
        embedder.modelFolder = try section.string("minilm_folder", default: embedder.modelFolder)
        if var remote = try section.mapping("remote_embedder") {
            let baseURL = try remote.string("base_url")
            guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
                throw remote.error("base_url", "expected an http:// or https:// URL ending in /v1, got '\(baseURL)'")
            }
            guard remote.has("dimensions") else {
                throw remote.error("dimensions", "missing; expected the length of the vectors the endpoint returns, e.g. 384")
            }
            var settings = EmbedderConfiguration.Remote(
                baseURL: baseURL, model: try remote.string("model"),
                dimensions: try remote.int("dimensions", default: 0, in: 1...65_536)
            )
            if remote.has("api_key_env") {
                let variable = try remote.string("api_key_env")
                guard isEnvironmentVariableName(variable) else {
                    throw remote.error("api_key_env", "expected the NAME of an environment variable holding the key (letters, digits and '_'), not the key itself")
                }
                settings.apiKeyEnvironmentVariable = variable
            }
            settings.timeout = try remote.milliseconds("timeout_ms", default: settings.timeout, in: 1...60_000)
            try remote.finish(known: ["base_url", "model", "dimensions", "api_key_env", "timeout_ms"])
            embedder.remote = settings
        }
        if kind == .remote, embedder.remote == nil {
            throw section.error("embedder", "embedder 'remote' needs a remote_embedder mapping with base_url, model and dimensions")
        }
        return embedder
    }

    package static func isEnvironmentVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    private static func syntaxError(_ error: YamlError, source: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ConfigError(file: source, line: mark.line, column: mark.column, key: "", message: "YAML syntax error: \(what); check indentation and quoting")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(file: source, line: context.mark.line, column: context.mark.column, key: duplicates.joined(separator: ", "), message: "this key appears more than once in the same mapping; keep one")
        default:
            return ConfigError(file: source, key: "", message: "not valid YAML: \(error)")
        }
    }

    private static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }
}
