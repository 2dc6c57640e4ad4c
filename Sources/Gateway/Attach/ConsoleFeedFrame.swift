import Foundation
package import ServingEngine

/// One frame of the console feed (`GET /admin/stream`): the engine's snapshot without its
/// activity log, and the activity entries that are new since the previous frame — a sample of
/// at most the requested size when more arrived — with the exact number that arrived beside it.
package struct ConsoleFeedFrame: Codable, Sendable {
    /// The engine now; its `activity` is empty (the entries travel in ``activity``).
    package var snapshot: EngineSnapshot
    /// New entries since the previous frame, newest first, at most the sample size.
    package var activity: [ActivityEntry]
    /// How many requests finished since the previous frame (exact; ``activity`` may hold fewer).
    package var newDecisions: Int
    /// How many of them ``activity`` carries.
    package var sentDecisions: Int
    /// What the console is attached to: the server's address and replica.
    package var server: String

    package init(snapshot: EngineSnapshot, activity: [ActivityEntry], newDecisions: Int, sentDecisions: Int, server: String) {
        self.snapshot = snapshot
        self.activity = activity
        self.newDecisions = newDecisions
        self.sentDecisions = sentDecisions
        self.server = server
    }
}

/// Turns successive engine snapshots into feed frames for one console: remembers which entries
/// it sent, so each frame carries only new ones. No I/O: tested on its own.
package struct ConsoleFeedCursor: Sendable {
    /// The most entries one frame carries after the first.
    package let sampleSize: Int
    /// The most entries the first frame carries (the backlog that fills the Routes pane).
    package let backlogSize: Int
    private var seen: Set<EntryKey> = []
    private var lastRequests: Int?

    private struct EntryKey: Hashable, Sendable {
        var id: UInt64
        var time: Double
        var message: String?

        init(_ entry: ActivityEntry) {
            switch entry {
            case .decision(let record):
                id = record.id
                time = 0
                message = nil
            case .event(let event):
                id = 0
                time = event.time.timeIntervalSinceReferenceDate
                message = event.message
            }
        }
    }

    package init(sampleSize: Int = 50, backlogSize: Int = 120) {
        self.sampleSize = max(1, sampleSize)
        self.backlogSize = max(1, backlogSize)
    }

    /// The frame for `snapshot` (taken with the engine's whole activity log).
    package mutating func frame(from snapshot: EngineSnapshot, server: String) -> ConsoleFeedFrame {
        let first = lastRequests == nil
        let keys = snapshot.activity.map(EntryKey.init)
        var fresh: [ActivityEntry] = []
        for (entry, key) in zip(snapshot.activity, keys) where !seen.contains(key) {
            fresh.append(entry)
        }
        seen = Set(keys)
        let requests = snapshot.totals.requests
        let newDecisions = first ? fresh.filter { if case .decision = $0 { true } else { false } }.count : max(0, requests - (lastRequests ?? requests))
        lastRequests = requests
        let limit = first ? backlogSize : sampleSize
        let sample = Self.sample(fresh, limit: limit)
        let sent = sample.filter { if case .decision = $0 { true } else { false } }.count
        var bare = snapshot
        bare.activity = []
        bare.router.recentScores = Self.quantiles(snapshot.router.recentScores, count: 128)
        let replica = snapshot.sharedState.replicaID
        return ConsoleFeedFrame(snapshot: bare, activity: sample, newDecisions: max(newDecisions, sent), sentDecisions: sent, server: replica.isEmpty ? server : "\(server) · replica \(replica)")
    }

    /// Every event, then decisions evenly spread over the new ones, up to `limit`, newest first.
    static func sample(_ entries: [ActivityEntry], limit: Int) -> [ActivityEntry] {
        guard entries.count > limit else { return entries }
        let events = entries.indices.filter { if case .event = entries[$0] { true } else { false } }
        let decisions = entries.indices.filter { if case .decision = entries[$0] { true } else { false } }
        let room = max(0, limit - events.count)
        var chosen = Set(events.prefix(limit))
        if room > 0, !decisions.isEmpty {
            let step = Double(decisions.count) / Double(room)
            for k in 0..<min(room, decisions.count) { chosen.insert(decisions[Int(Double(k) * step)]) }
        }
        return entries.indices.filter(chosen.contains).map { entries[$0] }
    }

    /// At most `count` evenly spaced values of the ascending `values` (enough to project a threshold).
    static func quantiles(_ values: [Double], count: Int) -> [Double] {
        guard values.count > count, count > 1 else { return values }
        return (0..<count).map { values[($0 * (values.count - 1)) / (count - 1)] }
    }
}
