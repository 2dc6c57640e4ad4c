import DequeModule
import ServingEngine

/// Local changes waiting to be written to the shared database, bounded: when it is full the
/// oldest change is dropped and counted, so a long outage costs memory up to the bound and then
/// the oldest news, never a request.
///
/// A pure state machine: the writer takes the head with ``next()``, writes it, and calls
/// ``written()``; a failed write leaves the head in place to be retried.
struct WriteQueue: Sendable {
    /// A change with the id that makes its write idempotent (a retry after a lost reply must not
    /// add a second row).
    struct Item: Sendable, Hashable {
        var id: String
        var change: SharedChange
    }

    let capacity: Int
    private var items: Deque<Item> = []
    /// Changes dropped because the queue was full.
    private(set) var dropped = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a write queue holds at least one change")
        self.capacity = capacity
    }

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }

    /// Adds a change; returns true when the oldest one had to go to make room.
    @discardableResult
    mutating func enqueue(_ item: Item) -> Bool {
        var droppedOne = false
        if items.count >= capacity {
            items.removeFirst()
            dropped += 1
            droppedOne = true
        }
        items.append(item)
        return droppedOne
    }

    /// The change to write next, if any.
    /// It may be dropped while it is being written, so ``written(_:)`` checks the id.
    func next() -> Item? {
        items.first
    }

    /// The changes to write next, in order: up to `limit` cache entries from the head (entries
    /// do not depend on one another, so they can go in one statement), or the single change at
    /// the head when it is anything else (an invalidation or override must keep its place).
    func nextBatch(limit: Int) -> [Item] {
        guard let first = items.first else { return [] }
        guard case .cacheEntryStored = first.change else { return [first] }
        var batch: [Item] = []
        for item in items.prefix(limit) {
            guard case .cacheEntryStored = item.change else { break }
            batch.append(item)
        }
        return batch
    }

    /// The change handed out by ``next()`` reached the database.
    mutating func written(_ id: String) {
        guard let first = items.first, first.id == id else { return }
        items.removeFirst()
    }

    /// The changes handed out by ``nextBatch(limit:)`` reached the database; those dropped
    /// meanwhile are skipped.
    mutating func written(_ ids: [String]) {
        for id in ids { written(id) }
    }
}
