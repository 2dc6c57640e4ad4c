import Foundation
import ServingEngine
@testable import SharedState
import Testing

@Suite("The bounded write queue")
struct WriteQueueTests {
    func item(_ id: String) -> WriteQueue.Item {
        WriteQueue.Item(id: id, change: .cacheInvalidated(tenant: id, model: nil))
    }

    @Test func keepsOrderAndRemovesOnlyWhatWasWritten() {
        var queue = WriteQueue(capacity: 3)
        queue.enqueue(item("a"))
        queue.enqueue(item("b"))
        #expect(queue.next()?.id == "a")
        // A failed write leaves the head in place.
        #expect(queue.next()?.id == "a")
        queue.written("a")
        #expect(queue.next()?.id == "b")
        queue.written("b")
        #expect(queue.next() == nil)
        #expect(queue.isEmpty)
    }

    @Test func dropsTheOldestWhenFullAndCountsIt() {
        var queue = WriteQueue(capacity: 2)
        let droppedForA = queue.enqueue(item("a"))
        let droppedForB = queue.enqueue(item("b"))
        let droppedForC = queue.enqueue(item("c"))
        #expect(!droppedForA && !droppedForB)
        #expect(droppedForC)
        #expect(queue.count == 2)
        #expect(queue.dropped == 1)
        #expect(queue.next()?.id == "b")
    }

    func entry(_ id: String) -> WriteQueue.Item {
        let scope = CacheScope(tenant: "t", model: "auto", systemPromptHash: 0, sampling: SamplingParameters(), contextHash: 0)
        let answer = SemanticCache.Answer(text: id, usage: TokenUsage(), provider: "p", model: "m")
        return WriteQueue.Item(id: id, change: .cacheEntryStored(SharedCacheEntry(scope: scope, normalized: id, prompt: id, answer: answer, vector: [], createdAt: .distantPast, expiresAt: .distantFuture)))
    }

    @Test func batchesConsecutiveEntriesButNeverPastAnInvalidation() {
        var queue = WriteQueue(capacity: 10)
        for id in ["e1", "e2", "e3"] { queue.enqueue(entry(id)) }
        queue.enqueue(item("invalidate"))
        queue.enqueue(entry("e4"))
        #expect(queue.nextBatch(limit: 2).map(\.id) == ["e1", "e2"])
        #expect(queue.nextBatch(limit: 10).map(\.id) == ["e1", "e2", "e3"])
        queue.written(["e1", "e2", "e3"])
        #expect(queue.nextBatch(limit: 10).map(\.id) == ["invalidate"])
        queue.written(["invalidate"])
        #expect(queue.nextBatch(limit: 10).map(\.id) == ["e4"])
    }

    @Test func aWriteOfAChangeDroppedMeanwhileRemovesNothing() {
        var queue = WriteQueue(capacity: 1)
        queue.enqueue(item("a"))
        let handedOut = queue.next()
        queue.enqueue(item("b"))
        queue.written(handedOut!.id)
        #expect(queue.count == 1)
        #expect(queue.next()?.id == "b")
    }
}
