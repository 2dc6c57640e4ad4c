public import Foundation

/// One line of the engine's activity log: a request's decision or an operator's action.
public enum ActivityEntry: Sendable, Hashable, Codable {
    /// A request finished.
    case decision(DecisionRecord)
    /// Something changed that operators should see: an override, a breaker transition, traffic.
    case event(EngineEvent)

    /// When it happened.
    public var time: Date {
        switch self {
        case .decision(let record): record.receivedAt
        case .event(let event): event.time
        }
    }
}

/// A notable change in the engine, shown in the activity log.
public struct EngineEvent: Sendable, Hashable, Codable {
    /// When it happened.
    public var time: Date
    /// What kind of change.
    public var kind: Kind
    /// A one-line description.
    public var message: String

    /// Kinds of events.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An operator command (override, traffic, cache).
        case `operator`
        /// A circuit breaker opened, half-opened or closed.
        case breaker
        /// A provider's active health checks started failing or passed again.
        case health
        /// Anything else the engine reports.
        case info
    }

    /// Creates an event.
    public init(time: Date = Date(), kind: Kind, message: String) {
        self.time = time
        self.kind = kind
        self.message = message
    }
}
