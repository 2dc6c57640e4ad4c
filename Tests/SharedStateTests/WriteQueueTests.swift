import ServingEngine
@testable import SharedState
import Testing

@Suite("The bounded write queue")
struct WriteQueueTests {
    func item(_ id: String) -> WriteQueue.Item {
        WriteQueue.Item(id: id, change: .cacheInvalidated(tenant: id))
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
