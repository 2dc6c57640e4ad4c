import Foundation
import Synchronization

/// The engine's side of shared state: who to tell about local changes, where each override came
/// from, and the status the shared-state service last reported. Without an observer every call
/// is a no-op, so a replica that runs alone pays one lock per change.
final class SharedStateHub: Sendable {
    private struct State: Sendable {
        var replicaID: String?
        var observer: (@Sendable (SharedChange) -> Void)?
        var overrideOrigins: [String: OverrideChange] = [:]
        var status = SharedStateStatus.disabled
    }

    private let state = Mutex(State())

    func attach(replicaID: String, observer: @escaping @Sendable (SharedChange) -> Void) {
        state.withLock {
            $0.replicaID = replicaID
            $0.observer = observer
        }
    }

    /// Reports a local change to the observer, outside the lock.
    func publish(_ change: SharedChange) {
        let observer = state.withLock { $0.observer }
        observer?(change)
    }

    /// Remembers a local override (from this process's dashboard or admin API) and reports it.
    func localOverride(_ provider: String, _ override: ProviderOverride) {
        let (change, observer) = state.withLock { state in
            let change = OverrideChange(provider: provider, override: override, setBy: state.replicaID ?? "this replica", setAt: Date())
            state.overrideOrigins[provider] = change
            return (change, state.observer)
        }
        observer?(.overrideChanged(change))
    }

    /// Reports a tenant's limits changed here (by this process's dashboard or admin API).
    func localTenantLimits(_ tenant: String, _ limits: TenantLimits) {
        let (record, observer) = state.withLock { state in
            (TenantLimitsRecord(tenant: tenant, limits: limits, setBy: state.replicaID ?? "this replica", setAt: Date()), state.observer)
        }
        observer?(.tenantLimitsChanged(record))
    }

    func remoteOverride(_ change: OverrideChange) {
        state.withLock { $0.overrideOrigins[change.provider] = change }
    }

    func origin(of provider: String) -> OverrideChange? {
        state.withLock { $0.overrideOrigins[provider] }
    }

    var status: SharedStateStatus {
        get { state.withLock { $0.status } }
        set { state.withLock { $0.status = newValue } }
    }
}
