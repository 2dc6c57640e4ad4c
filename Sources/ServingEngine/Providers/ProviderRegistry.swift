/// The provider kinds a configuration may name, each with the factory that builds its providers.
///
/// An immutable value: ``registering(_:factory:)`` and ``declaring(_:)`` return a new registry.
/// The engine's ``standard`` registry builds `simulated` providers and declares the kinds the
/// HTTP gateway builds (`openai-compatible`, `anthropic`), so that a configuration naming them
/// still loads without the gateway; the gateway's registry adds their factories and its own
/// kinds. The loader accepts the kinds a registry has and refuses others, naming them; the
/// engine builds each provider with its kind's factory.
///
/// ```swift
/// let registry = ProviderRegistry.standard.registering(.echo) { configuration, context in
///     EchoProvider(name: configuration.name)
/// }
/// let configuration = try ConfigurationLoader.load(path: "switchboard.yaml", kinds: registry)
/// let engine = try ServingEngine(configuration: configuration, registry: registry)
/// ```
public struct ProviderRegistry: Sendable {
    /// Builds the provider of one configuration entry; errors name the entry's key.
    public typealias Factory = @Sendable (ProviderConfiguration, ProviderBuildContext) throws(ConfigError) -> any ModelProvider

    private struct Entry: Sendable {
        var kind: ProviderKind
        var factory: Factory?
    }

    private var entries: [Entry] = []

    /// The engine's own kinds: `simulated` (built here) and the kinds the HTTP gateway builds,
    /// declared so that configurations naming them load.
    public static let standard = ProviderRegistry()
        .registering(.simulated) { configuration, context in SimulatedProvider(configuration: configuration, seed: context.seed) }
        .declaring(.openAICompatible)
        .declaring(.anthropic)

    /// The registered kinds, in registration order.
    public var kinds: [ProviderKind] { entries.map(\.kind) }

    /// The kind called `name`, if it is registered.
    public func kind(named name: String) -> ProviderKind? {
        entries.first { $0.kind.name == name }?.kind
    }

    /// The factory of `kind`, or nil when the kind is unknown or only declared here.
    public func factory(for kind: ProviderKind) -> Factory? {
        entries.first { $0.kind == kind }?.factory
    }

    /// This registry with `kind` built by `factory`; a kind of the same name is replaced in place.
    public func registering(_ kind: ProviderKind, factory: @escaping Factory) -> ProviderRegistry {
        var copy = self
        if let index = copy.entries.firstIndex(where: { $0.kind == kind }) {
            copy.entries[index] = Entry(kind: kind, factory: factory)
        } else {
            copy.entries.append(Entry(kind: kind, factory: factory))
        }
        return copy
    }

    /// This registry knowing `kind` without building it (another module does); a kind already
    /// registered stays as it is.
    public func declaring(_ kind: ProviderKind) -> ProviderRegistry {
        guard !entries.contains(where: { $0.kind == kind }) else { return self }
        var copy = self
        copy.entries.append(Entry(kind: kind, factory: nil))
        return copy
    }
}

/// What a ``ProviderRegistry/Factory`` gets besides the provider's configuration.
public struct ProviderBuildContext: Sendable {
    /// The configuration's source (its file), for errors.
    public var source: String
    /// The provider's position in the configuration's `providers` list, for error keys.
    public var index: Int
    /// A seed for the provider's randomness, different for each provider of the configuration.
    public var seed: UInt64

    /// Creates a context.
    public init(source: String, index: Int, seed: UInt64) {
        self.source = source
        self.index = index
        self.seed = seed
    }
}
