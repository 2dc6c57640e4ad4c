public import Foundation

/// Shared state as operators see it: whether this replica is part of a fleet, whether the
/// database is reachable, the replicas it knows, and writes waiting to go out.
public struct SharedStateStatus: Sendable, Hashable, Codable {
    /// The link to the shared database.
    public enum Connection: Sendable, Hashable, Codable {
        /// No shared state: the replica runs alone.
        case disabled
        /// Connected, listening for the other replicas' changes.
        case connected
        /// The database cannot be reached; the replica serves from local state. The reason says why.
        case disconnected(reason: String)
    }

    /// A replica of the fleet, as the shared database lists it.
    public struct Replica: Sendable, Hashable, Codable {
        /// Its id (host, process and a random part).
        public var id: String
        /// When it last reported itself alive.
        public var lastSeen: Date

        /// Creates a replica record.
        public init(id: String, lastSeen: Date) {
            self.id = id
            self.lastSeen = lastSeen
        }
    }

    /// The link to the database.
    public var connection: Connection
    /// This replica's id; empty when disabled.
    public var replicaID: String
    /// Where the database is (host, port and database; never the password).
    public var location: String
    /// The replicas seen alive recently, this one included.
    public var replicas: [Replica]
    /// Local changes waiting to be written.
    public var queuedWrites: Int
    /// Local changes dropped because the queue was full while the database was away.
    public var droppedWrites: Int
    /// Changes from other replicas applied here.
    public var appliedRemote: Int
    /// When this replica last caught up with the database.
    public var lastSync: Date?
    /// What tenants' limits do while the database is away (nil when disabled).
    public var onUnavailable: UnavailablePolicy?

    /// Creates a status.
    public init(connection: Connection, replicaID: String = "", location: String = "", replicas: [Replica] = [], queuedWrites: Int = 0, droppedWrites: Int = 0, appliedRemote: Int = 0, lastSync: Date? = nil, onUnavailable: UnavailablePolicy? = nil) {
        self.connection = connection
        self.replicaID = replicaID
        self.location = location
        self.replicas = replicas
        self.queuedWrites = queuedWrites
        self.droppedWrites = droppedWrites
        self.appliedRemote = appliedRemote
        self.lastSync = lastSync
        self.onUnavailable = onUnavailable
    }

    /// The status of a replica that runs alone.
    public static let disabled = SharedStateStatus(connection: .disabled)

    /// `disabled`, `connected` or `disconnected`, for headers and metrics.
    public var label: String {
        switch connection {
        case .disabled: "disabled"
        case .connected: "connected"
        case .disconnected: "disconnected"
        }
    }
}
