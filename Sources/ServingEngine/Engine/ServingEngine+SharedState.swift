import Foundation

extension ServingEngine {
    /// Joins a fleet: from now on every local change to shared state (a cached answer, a cache
    /// invalidation, an operator override) is reported to `observer`, on the thread that made it.
    ///
    /// The observer must not block: it hands the change to a queue that writes it out.
    /// - Parameters:
    ///   - replicaID: this replica's id, recorded as the origin of its overrides.
    ///   - observer: receives each local change once.
    package func attachSharedState(replicaID: String, observer: @escaping @Sendable (SharedChange) -> Void) {
        shared.attach(replicaID: replicaID, observer: observer)
    }

    /// Applies a change another replica made, without reporting it back to the observer.
    ///
    /// Returns false when the change names something this replica does not have (a provider
    /// missing from its configuration, an embedding of another size, an expired entry).
    @discardableResult
    package func applyShared(_ change: SharedChange) -> Bool {
        switch change {
        case .cacheEntryStored(let entry):
            guard let cache else { return false }
            let file = CacheFile.Entry(scope: entry.scope, normalized: entry.normalized, prompt: entry.prompt, answer: entry.answer, vector: entry.vector, expiresAt: entry.expiresAt)
            return cache.importEntries([file]) == 1
        case .cacheInvalidated(let tenant, let model):
            let removed = cache?.invalidate(tenant: tenant, model: model) ?? 0
            let models = model.map { ", model \($0)" } ?? ""
            metrics.recordEvent(EngineEvent(kind: .info, message: "cache invalidated by another replica for \(tenant.map { "tenant \($0)" } ?? "all tenants")\(models): \(removed) entries removed"))
            return true
        case .overrideChanged(let change):
            guard health.currentOverride(change.provider) != nil else { return false }
            let changed = health.currentOverride(change.provider) != change.override
            _ = health.setOverride(change.provider, change.override)
            shared.remoteOverride(change)
            if changed {
                metrics.recordEvent(EngineEvent(kind: .operator, message: "\(change.provider) set to \(change.override.rawValue) by replica \(change.setBy)"))
            }
            return true
        case .tenantLimitsChanged(let record):
            guard EngineConfiguration.isValidName(record.tenant) else { return false }
            guard tenants.limits(of: record.tenant) != record.limits else { return true }
            tenants.replaceLimits(record.tenant, record.limits)
            metrics.recordEvent(EngineEvent(kind: .operator, message: "tenant \(record.tenant) limits set by replica \(record.setBy): \(record.limits.summary)"))
            return true
        }
    }

    /// Records the shared-state service's view of the fleet, for snapshots.
    package func updateSharedStateStatus(_ status: SharedStateStatus) {
        shared.status = status
    }

    /// Reports a freshly cached answer to the fleet.
    func shareStored(_ answer: SemanticCache.Answer, key: SemanticCache.Key) {
        guard let cache else { return }
        let now = Date()
        let entry = SharedCacheEntry(
            scope: key.scope, normalized: key.normalized, prompt: key.prompt, answer: answer, vector: key.vector,
            createdAt: now, expiresAt: now.addingTimeInterval(cache.settings.timeToLive.seconds)
        )
        shared.publish(.cacheEntryStored(entry))
    }
}
