import ServingEngine

/// Shared state in Prometheus text: gauges read from the engine's snapshot when `/metrics` is
/// scraped, so that "disconnected" shows without a request having to notice it.
enum SharedStateMetrics {
    static func render(_ status: SharedStateStatus) -> [UInt8] {
        var text = """
            # HELP switchboard_shared_state Shared state with other replicas: 1 for the current state (disabled, connected, disconnected).
            # TYPE switchboard_shared_state gauge

            """
        for label in ["disabled", "connected", "disconnected"] {
            text += "switchboard_shared_state{state=\"\(label)\"} \(status.label == label ? 1 : 0)\n"
        }
        guard status.connection != .disabled else { return Array(text.utf8) }
        text += """
            # HELP switchboard_shared_state_replicas Replicas seen alive recently, this one included.
            # TYPE switchboard_shared_state_replicas gauge
            switchboard_shared_state_replicas \(status.replicas.count)
            # HELP switchboard_shared_state_queued_writes Local changes waiting to be written to the shared database.
            # TYPE switchboard_shared_state_queued_writes gauge
            switchboard_shared_state_queued_writes \(status.queuedWrites)
            # HELP switchboard_shared_state_dropped_writes_total Local changes dropped because the write queue was full.
            # TYPE switchboard_shared_state_dropped_writes_total counter
            switchboard_shared_state_dropped_writes_total \(status.droppedWrites)
            # HELP switchboard_shared_state_applied_total Changes from other replicas applied here.
            # TYPE switchboard_shared_state_applied_total counter
            switchboard_shared_state_applied_total \(status.appliedRemote)

            """
        if let lastSync = status.lastSync {
            text += """
                # HELP switchboard_shared_state_last_sync_timestamp_seconds When this replica last heard from the shared database.
                # TYPE switchboard_shared_state_last_sync_timestamp_seconds gauge
                switchboard_shared_state_last_sync_timestamp_seconds \(lastSync.timeIntervalSince1970)

                """
        }
        return Array(text.utf8)
    }
}
