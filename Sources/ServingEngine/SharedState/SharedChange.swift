public import Foundation

/// A change to the state a fleet of replicas shares: what one replica tells the others.
///
/// The engine reports each local change to the observer attached with
/// ``ServingEngine/attachSharedState(replicaID:observer:)``, and applies the changes other
/// replicas made through ``ServingEngine/applyShared(_:)`` without reporting them again.
public enum SharedChange: Sendable, Hashable {
    /// An answer was cached.
    case cacheEntryStored(SharedCacheEntry)
    /// Cached answers were dropped: those of `tenant` for `model`; nil means every tenant or model.
    case cacheInvalidated(tenant: String?, model: String?)
    /// An operator overrode a provider's health (or gave it back to its breaker).
    case overrideChanged(OverrideChange)
    /// An operator changed a tenant's limits (or blocked it) through the admin API or the console.
    case tenantLimitsChanged(TenantLimitsRecord)
}

/// A tenant's limits as an operator last set them, and where: what travels to the other replicas.
public struct TenantLimitsRecord: Sendable, Hashable, Codable {
    /// The tenant.
    public var tenant: String
    /// Its limits after the change (all of them, so that the last writer wins as a whole).
    public var limits: TenantLimits
    /// The replica whose dashboard or admin API set them.
    public var setBy: String
    /// When they were set.
    public var setAt: Date

    /// Creates a record.
    public init(tenant: String, limits: TenantLimits, setBy: String, setAt: Date) {
        self.tenant = tenant
        self.limits = limits
        self.setBy = setBy
        self.setAt = setAt
    }
}

/// One cached answer in a form that can leave the process: scope, prompt, embedding, answer,
/// and wall-clock times (monotonic instants mean nothing to another process).
public struct SharedCacheEntry: Sendable, Hashable {
    /// The scope the answer belongs to.
    public var scope: CacheScope
    /// The normalised prompt (the exact-match key).
    public var normalized: String
    /// The prompt as the caller wrote it.
    public var prompt: String
    /// The answer and its usage.
    public var answer: SemanticCache.Answer
    /// The prompt's embedding.
    public var vector: [Float]
    /// When it was first cached.
    public var createdAt: Date
    /// When it stops being served.
    public var expiresAt: Date

    /// Creates an entry.
    public init(scope: CacheScope, normalized: String, prompt: String, answer: SemanticCache.Answer, vector: [Float], createdAt: Date, expiresAt: Date) {
        self.scope = scope
        self.normalized = normalized
        self.prompt = prompt
        self.answer = answer
        self.vector = vector
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// An operator override and where it came from.
public struct OverrideChange: Sendable, Hashable, Codable {
    /// The provider.
    public var provider: String
    /// The new override.
    public var override: ProviderOverride
    /// The replica whose dashboard or admin API set it.
    public var setBy: String
    /// When it was set.
    public var setAt: Date

    /// Creates an override change.
    public init(provider: String, override: ProviderOverride, setBy: String, setAt: Date) {
        self.provider = provider
        self.override = override
        self.setBy = setBy
        self.setAt = setAt
    }
}
