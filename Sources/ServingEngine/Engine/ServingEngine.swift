import Foundation
import Synchronization

/// The serving engine: cache, router and provider cascade for OpenAI-style chat requests.
///
/// For each request it looks in the ``SemanticCache`` (exact, then semantic, within the
/// request's scope), routes by complexity to a tier (or follows an explicit model name), and
/// walks that tier's chain of providers with timeouts, retries and circuit breakers. Every
/// request, whatever its outcome, produces exactly one ``DecisionRecord``; every caller gets an
/// answer or an ``EngineError``, never silence. ``snapshot()`` is cheap enough for frame rate.
///
/// ```swift
/// let engine = try ServingEngine(configuration: .builtIn)
/// let reply = try await engine.complete(ChatRequest(prompt: "What is a circuit breaker?"))
/// print(reply.text, reply.decision.route.tier)
/// ```
public final class ServingEngine: Sendable {
    /// The configuration the engine was built from.
    public let configuration: EngineConfiguration

    let providers: [String: any ModelProvider]
    let chains: [String: [String]]
    let router: RequestRouter
    let cache: SemanticCache?
    let health: HealthBoard
    let metrics: MetricsRecorder
    /// Gives up on provider attempts that stay silent past their timeouts (one timer for all).
    let watchdog = AttemptWatchdog()
    /// The traffic generator's state: its rate and pause switch, whether one runs, what it sent.
    let traffic: TrafficControl
    let shared = SharedStateHub()
    /// Every tenant's rate limits, budgets and counters: the entry point every route that
    /// reaches a provider admits its requests through (``TenantLimiter``).
    package let tenants: TenantLimiter
    private let jitter: Mutex<SeededRandom>
    private let pricing: [String: Pricing]
    private let timeouts: [String: Duration]
    private let frontierChain: [String]
    private let balanceModes: [String: TierConfiguration.Balance]
    private let weights: [String: Double]
    private let blendedPrices: [String: Double]
    private let startedAt: ContinuousClock.Instant
    /// What each provider can do, by name.
    let capabilities: [String: Set<ProviderCapability>]
    /// A random prefix of this process's request ids, so that ids stay unique across restarts and
    /// the replicas of a fleet.
    let requestIDPrefix: String
    /// Carries out what operators ask (``perform(_:)``).
    let commands: OperatorCommandHandler

    /// Creates an engine.
    ///
    /// - Parameters:
    ///   - configuration: a validated configuration.
    ///   - providers: providers to use instead of the ones the configuration would build, by name
    ///     (tests and the gateway pass real or scripted providers here).
    ///   - registry: the factories of the provider kinds, by name; the engine's own
    ///     (``ProviderRegistry/standard``) builds `simulated` providers, the gateway's
    ///     (`RemoteProviders.registry`) adds the HTTP kinds. A provider of a kind the registry
    ///     declares but cannot build, that `providers` does not replace, is a ``ConfigError``.
    ///   - embedder: an embedder to use instead of the configured one (tests pass scripted ones).
    ///   - makeRemoteEmbedder: builds the `remote` embedder; the gateway supplies it. Without it,
    ///     a configured `remote` embedder is a ``ConfigError``.
    public init(
        configuration: EngineConfiguration,
        providers custom: [any ModelProvider] = [],
        registry: ProviderRegistry = .standard,
        embedder customEmbedder: (any Embedder)? = nil,
        makeRemoteEmbedder: ((EmbedderConfiguration.Remote) throws(ConfigError) -> any Embedder)? = nil
    ) throws(ConfigError) {
        try configuration.validate()
        self.configuration = configuration
        let replaced = Set(custom.map(\.name))
        var built: [String: any ModelProvider] = [:]
        for (index, provider) in configuration.providers.enumerated() where !replaced.contains(provider.name) {
            if let factory = registry.factory(for: provider.kind) {
                let context = ProviderBuildContext(source: configuration.source, index: index, seed: configuration.traffic.seed &+ UInt64(index))
                built[provider.name] = try factory(provider, context)
            } else {
                throw ConfigError(
                    file: configuration.source, key: "providers[\(index)].kind",
                    message: "provider '\(provider.name)' is of kind \(provider.kind.name), which only the HTTP gateway can build; run it with `switchboard serve`, or use kind: simulated here"
                )
            }
        }
        for provider in custom { built[provider.name] = provider }
        providers = built
        capabilities = Dictionary(configuration.providers.map { ($0.name, $0.capabilities) }, uniquingKeysWith: { first, _ in first })
        requestIDPrefix = Self.randomIDPrefix()

        var chains: [String: [String]] = [:]
        for provider in configuration.providers { chains[provider.name] = [provider.name] }
        for model in configuration.models { chains[model.name] = model.chain }
        for tier in configuration.tiers { chains[tier.name] = tier.chain }
        self.chains = chains

        if configuration.cache.enabled {
            let embedder: any Embedder
            if let customEmbedder {
                embedder = customEmbedder
            } else {
                embedder = try Self.makeEmbedder(configuration, makeRemote: makeRemoteEmbedder)
            }
            let rule = try configuration.cacheDecision.resolve(for: embedder.name, file: configuration.source)
            cache = SemanticCache(settings: configuration.cache, rule: rule, embedder: embedder)
        } else {
            cache = nil
        }
        // Semantic routes compare prompts with the cache's embedder: minilm when it is live.
        router = RequestRouter(configuration: configuration.router, thresholds: configuration.routerThresholds, embedder: cache?.embedder ?? HashingEmbedder())
        let names = configuration.providers.map(\.name)
        health = HealthBoard(providerNames: names, policy: configuration.resilience.breaker)
        startedAt = .now
        metrics = MetricsRecorder(tiers: configuration.tiers.map(\.name), providers: names, now: startedAt)
        traffic = TrafficControl(rate: configuration.traffic.rate)
        jitter = Mutex(SeededRandom(seed: configuration.traffic.seed ^ 0x5EED))
        pricing = Dictionary(uniqueKeysWithValues: configuration.providers.map { ($0.name, $0.pricing) })
        timeouts = Dictionary(uniqueKeysWithValues: configuration.providers.map { ($0.name, $0.timeout) })
        balanceModes = Dictionary(uniqueKeysWithValues: configuration.tiers.map { ($0.name, $0.balance) })
        weights = Dictionary(uniqueKeysWithValues: configuration.providers.map { ($0.name, $0.weight) })
        // The usual 3:1 input-to-output blend that price comparisons of model APIs use.
        blendedPrices = Dictionary(uniqueKeysWithValues: configuration.providers.map { ($0.name, (3 * $0.pricing.inputPerMillion + $0.pricing.outputPerMillion) / 4) })
        tenants = TenantLimiter(tenants: configuration.tenants)
        frontierChain = configuration.tiers.first { $0.name == configuration.frontierTier }?.chain ?? []
        commands = OperatorCommandHandler(
            configuration: configuration, providers: providers, health: health, traffic: traffic, cache: cache,
            router: router, tenants: tenants, metrics: metrics, shared: shared
        )
    }

    private static func makeEmbedder(
        _ configuration: EngineConfiguration,
        makeRemote: ((EmbedderConfiguration.Remote) throws(ConfigError) -> any Embedder)?
    ) throws(ConfigError) -> any Embedder {
        if let local = try configuration.embedder.makeLocalEmbedder(file: configuration.source) { return local }
        guard let remote = configuration.embedder.remote, let makeRemote else {
            throw ConfigError(
                file: configuration.source, key: "cache.embedder",
                message: "the remote embedder needs the HTTP client of `switchboard serve` or the dashboard; use embedder: hashing or minilm here"
            )
        }
        return try makeRemote(remote)
    }

    /// The names clients may ask for: `auto`, tiers, model aliases and providers.
    public var modelNames: [String] {
        [ChatRequest.automaticModel] + configuration.tiers.map(\.name) + configuration.models.map(\.name) + configuration.providers.map(\.name)
    }

    /// Answers `request` in full.
    public func complete(_ request: ChatRequest) async throws(EngineError) -> EngineResponse {
        // Run in the caller's task, collecting the answer as it comes: no task of its own, no
        // stream to read it back from, and the caller's cancellation reaches it directly.
        let collector = EngineResponseCollector(requestIDPrefix: requestIDPrefix)
        await execute(request, events: .collecting(into: collector))
        return try collector.response()
    }

    /// Answers `request` as a stream of events; cancelling the consumer cancels the request.
    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<EngineStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                await self.execute(request, events: .stream(continuation))
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Carries out an operator command and returns what was done, in words.
    public func perform(_ command: OperatorCommand) throws(CommandError) -> String {
        try commands.perform(command) { snapshot(activityLimit: 0) }
    }

    func randomUnit() -> Double {
        jitter.withLock { $0.unit() }
    }

    func cost(of usage: TokenUsage, provider: String) -> Double {
        pricing[provider]?.cost(of: usage) ?? 0
    }

    /// What `usage` would have cost on the frontier tier now: priced at the first provider of its
    /// chain that is available, so a failover raises the counterfactual as it raises the real cost.
    func frontierCost(of usage: TokenUsage) -> Double {
        let provider = health.firstAvailable(in: frontierChain, now: .now) ?? frontierChain.first
        return provider.map { cost(of: usage, provider: $0) } ?? 0
    }

    /// The chain of `tier` in the order its balance policy gives now.
    func balance(_ chain: [String], tier: String) -> [String] {
        guard let mode = balanceModes[tier], mode != .priority else { return chain }
        return health.order(chain, balance: mode, weights: weights, prices: blendedPrices, now: .now)
    }

    func timeout(for provider: String) -> Duration {
        timeouts[provider] ?? .seconds(10)
    }

    var uptime: Duration { .now - startedAt }

    /// Ten random base-36 characters (about 52 bits).
    static func randomIDPrefix() -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return String((0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
