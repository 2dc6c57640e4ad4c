/// A whole deployment: providers, tiers and their chains, router, cache, resilience and traffic.
///
/// Built from a YAML file by ``ConfigurationLoader`` or taken from
/// ``EngineConfiguration/builtIn``, which is itself a YAML document parsed by the same loader.
public struct EngineConfiguration: Sendable {
    /// Where it came from: `built-in` or the file's path.
    public var source: String
    /// Every provider, in the order operators see them.
    public var providers: [ProviderConfiguration]
    /// Tiers, from the cheapest to the most capable.
    public var tiers: [TierConfiguration]
    /// Extra model names clients may ask for, each with its own chain of providers.
    public var models: [TierConfiguration]
    /// Router thresholds: which tier takes which scores.
    public var routerThresholds: [ComplexityRouter.Threshold]
    /// The router's strategy and semantic routes.
    public var router: RouterConfiguration
    /// The tier whose first provider prices the "frontier-only" comparison.
    public var frontierTier: String
    /// Cache settings.
    public var cache: SemanticCache.Settings
    /// The cache's embedder.
    public var embedder: EmbedderConfiguration
    /// How the cache decides a semantic hit.
    public var cacheDecision: CacheDecisionConfiguration
    /// Deadline, retries and breakers.
    public var resilience: ResilienceConfiguration
    /// The built-in traffic generator.
    public var traffic: TrafficConfiguration
    /// What tenants' limits do while the fleet's shared database cannot be reached
    /// (`shared_state.on_unavailable`); the database itself is the SharedState module's to read.
    public var onSharedStateUnavailable = UnavailablePolicy.open
    /// Tenants' rate limits and budgets (`tenants[]`); tenants not listed are unlimited.
    public var tenants: [TenantConfiguration] = []
    /// The sections other modules read themselves (`gateway`, `shared_state`), by key; empty for
    /// a configuration built in code.
    var sections: [String: ConfigurationSection] = [:]

    /// Creates a configuration. Call ``validate()`` before use.
    public init(source: String, providers: [ProviderConfiguration], tiers: [TierConfiguration], models: [TierConfiguration] = [], routerThresholds: [ComplexityRouter.Threshold], router: RouterConfiguration = .init(), frontierTier: String, cache: SemanticCache.Settings = .init(), embedder: EmbedderConfiguration = .init(), cacheDecision: CacheDecisionConfiguration = .init(), resilience: ResilienceConfiguration = .init(), traffic: TrafficConfiguration = .init()) {
        self.source = source
        self.providers = providers
        self.tiers = tiers
        self.models = models
        self.routerThresholds = routerThresholds
        self.router = router
        self.frontierTier = frontierTier
        self.cache = cache
        self.embedder = embedder
        self.cacheDecision = cacheDecision
        self.resilience = resilience
        self.traffic = traffic
    }

    /// The section `key` of the file, for the module that reads it; nil when the file has none.
    package func section(_ key: String) -> ConfigurationSection? {
        sections[key]
    }

    /// The provider named `name`, if configured.
    public func provider(named name: String) -> ProviderConfiguration? {
        providers.first { $0.name == name }
    }
}

/// One provider.
public struct ProviderConfiguration: Sendable, Hashable {
    /// Unique name.
    public var name: String
    /// Kind of backend.
    public var kind: Kind
    /// The model it serves, as reported to clients.
    public var model: String
    /// Its prices.
    public var pricing: Pricing
    /// How long one call may take before it counts as timed out.
    public var timeout: Duration
    /// Calls it accepts at once; more are answered with a rate-limit error.
    public var maxConcurrency: Int
    /// Its share of traffic relative to the other providers of a balanced tier.
    public var weight: Double = 1
    /// The simulated behaviour, for `simulated` providers.
    public var simulation: SimulationProfile
    /// The base URL of a remote provider's API, e.g. `http://127.0.0.1:8000/v1` (nil for simulated ones).
    public var baseURL: String?
    /// The NAME of the environment variable holding the provider's API key; the key itself never
    /// appears in the configuration.
    public var apiKeyEnvironmentVariable: String?
    /// Active health checks, if the provider should be probed between requests.
    public var healthCheck: HealthCheckConfiguration?
    /// What it can do beyond text chat, when the configuration says (`capabilities:`); nil means
    /// the kind's defaults (``ProviderKind/defaultCapabilities``).
    public var declaredCapabilities: Set<ProviderCapability>?
    /// Whether body fields Switchboard does not know are left out of its requests instead of
    /// forwarded (`drop_unknown_fields`), for strict servers; the response says which were dropped.
    public var dropUnknownFields = false
    /// The `max_tokens` sent when the client sets none, for APIs that require one (Anthropic's).
    public var defaultMaxTokens = 4096
    /// When an OpenAI-compatible provider is asked for a stream (`stream_upstream`).
    public var upstreamStreaming: UpstreamStreaming = .always

    /// When the upstream call is a stream.
    public enum UpstreamStreaming: String, Sendable, Hashable, CaseIterable {
        /// Always: the provider's timeout bounds the first token and each gap between tokens,
        /// whatever the client asked for.
        case always
        /// Only when the client asked for a stream; otherwise one plain call, which saves the
        /// stream's parsing and wake-ups, but then the timeout bounds the whole answer.
        case whenClientStreams = "when_client_streams"
    }

    /// What the provider can do: the declared capabilities, or the kind's defaults.
    public var capabilities: Set<ProviderCapability> {
        declaredCapabilities ?? kind.defaultCapabilities
    }

    /// Kinds of provider backends: an open set of values (``ProviderKind``), registered in a
    /// ``ProviderRegistry``.
    public typealias Kind = ProviderKind

    /// Creates a provider configuration.
    public init(name: String, kind: Kind = .simulated, model: String, pricing: Pricing, timeout: Duration = .seconds(10), maxConcurrency: Int = 64, simulation: SimulationProfile = .init()) {
        self.name = name
        self.kind = kind
        self.model = model
        self.pricing = pricing
        self.timeout = timeout
        self.maxConcurrency = maxConcurrency
        self.simulation = simulation
    }
}

/// Prices in US dollars per million tokens.
public struct Pricing: Sendable, Hashable {
    /// Per million prompt tokens.
    public var inputPerMillion: Double
    /// Per million answer tokens.
    public var outputPerMillion: Double

    /// Creates prices.
    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    /// The cost of `usage` at these prices.
    public func cost(of usage: TokenUsage) -> Double {
        (Double(usage.promptTokens) * inputPerMillion + Double(usage.completionTokens) * outputPerMillion) / 1_000_000
    }
}

/// How a simulated provider behaves.
public struct SimulationProfile: Sendable, Hashable {
    /// Median time to the first token.
    public var timeToFirstToken: Duration
    /// Median time per further token.
    public var timePerToken: Duration
    /// Log-normal spread of the latencies (sigma); 0 makes them fixed.
    public var spread: Double
    /// The typical answer length in tokens.
    public var answerTokens: Int
    /// Faults injected from the start.
    public var faults: FaultProfile

    /// Creates a profile.
    public init(timeToFirstToken: Duration = .milliseconds(200), timePerToken: Duration = .milliseconds(10), spread: Double = 0.3, answerTokens: Int = 60, faults: FaultProfile = .init()) {
        self.timeToFirstToken = timeToFirstToken
        self.timePerToken = timePerToken
        self.spread = spread
        self.answerTokens = answerTokens
        self.faults = faults
    }
}

/// Faults a simulated provider injects.
public struct FaultProfile: Sendable, Hashable {
    /// The share of calls that fail, in [0, 1].
    public var errorRate: Double
    /// The kinds of failure drawn from, with equal weight.
    public var kinds: [ProviderFailure.Kind]
    /// A multiplier on every latency (1 is normal; 20 makes most calls time out).
    public var slowdown: Double

    /// Creates a fault profile; by default no faults.
    public init(errorRate: Double = 0, kinds: [ProviderFailure.Kind] = [.serverError], slowdown: Double = 1) {
        self.errorRate = errorRate
        self.kinds = kinds
        self.slowdown = slowdown
    }
}

/// A named chain of providers: a tier, or a model alias.
public struct TierConfiguration: Sendable, Hashable {
    /// The tier's (or model's) name.
    public var name: String
    /// Provider names in priority order.
    public var chain: [String]
    /// How the chain is ordered for each request.
    public var balance: Balance

    /// How a tier orders its providers for a request. Providers that cannot answer now (forced
    /// down, circuit open) always go last, in chain order, so the cascade still reaches them.
    public enum Balance: String, Sendable, Hashable, CaseIterable {
        /// The chain's order: the first healthy provider takes everything.
        case priority
        /// Fewest calls in flight per unit of weight first.
        case leastLoaded = "least-loaded"
        /// Highest weight ÷ (recent latency × price) first: fast, cheap, favoured providers lead.
        case latencyWeighted = "latency-weighted"
    }

    /// Creates a tier.
    public init(name: String, chain: [String], balance: Balance = .priority) {
        self.name = name
        self.chain = chain
        self.balance = balance
    }
}

/// Deadlines, retries and circuit breakers.
public struct ResilienceConfiguration: Sendable, Hashable {
    /// The most time one request may take, across every provider.
    public var deadline: Duration
    /// Retries within one provider.
    public var retry: RetryPolicy
    /// Every provider's breaker policy.
    public var breaker: CircuitBreaker.Policy

    /// Creates a resilience configuration.
    public init(deadline: Duration = .seconds(30), retry: RetryPolicy = .init(), breaker: CircuitBreaker.Policy = .init()) {
        self.deadline = deadline
        self.retry = retry
        self.breaker = breaker
    }
}

/// The built-in traffic generator.
public struct TrafficConfiguration: Sendable, Hashable {
    /// Requests per second.
    public var rate: Double
    /// The random seed; the same seed gives the same prompts in the same order.
    public var seed: UInt64
    /// Tenants that traffic is spread over.
    public var tenants: [String]
    /// The share of prompts drawn from the hard families, in [0, 1].
    public var hardShare: Double

    /// Creates a traffic configuration.
    public init(rate: Double = 20, seed: UInt64 = 42, tenants: [String] = ["acme", "globex", "initech"], hardShare: Double = 0.35) {
        self.rate = rate
        self.seed = seed
        self.tenants = tenants
        self.hardShare = hardShare
    }
}

/// Active health checks of a remote provider: a cheap request every `interval`.
public struct HealthCheckConfiguration: Sendable, Hashable {
    /// Time between two checks.
    public var interval: Duration
    /// How long one check may take before it counts as failed.
    public var timeout: Duration

    /// Creates health-check settings.
    public init(interval: Duration = .seconds(15), timeout: Duration = .seconds(3)) {
        self.interval = interval
        self.timeout = timeout
    }
}
