import Foundation
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import ServingEngine

/// A batch computation that holds each batch until the test opens the gate, recording the
/// batches it was given. It runs on the batcher's worker threads, so blocking there
/// stalls no task of the cooperative pool.
final class GatedBatches: Sendable {
    private let open = DispatchSemaphore(value: 0)
    private let state = Mutex<(batches: [[String]], opened: Bool)>(([], false))
    /// Texts whose batches are never held.
    private let passing: Set<String>

    init(passing: Set<String> = []) {
        self.passing = passing
    }

    /// The batches started so far, in order.
    var batches: [[String]] { state.withLock { $0.batches } }

    /// A vector per text: its length in the first component, so answers can be told apart.
    func compute(_ texts: [String]) -> [[Float]] {
        let opened = state.withLock { state in
            state.batches.append(texts)
            return state.opened
        }
        if !opened, !passing.isSuperset(of: texts) { open.wait() }
        return texts.map { [Float($0.count), 0, 0, 0] }
    }

    /// Lets every held and future batch finish.
    func openGate() {
        let waiting = state.withLock { state in
            state.opened = true
            return state.batches.filter { !passing.isSuperset(of: $0) }.count
        }
        for _ in 0..<waiting { open.signal() }
    }

    /// Waits (without a deadline of its own; the suite's time limit bounds it) until `count`
    /// batches have started.
    func waitForBatches(_ count: Int) async throws {
        while batches.count < count { try await Task.sleep(for: .milliseconds(1)) }
    }
}

/// An embedder over a batcher, as ``MiniLMEmbedder`` is, for engine tests.
struct BatchedEmbedder: Embedder {
    let name = "batched"
    let dimensions = 4
    let batcher: EmbeddingBatcher

    func embed(_ text: String) async throws -> [Float] {
        try await batcher.embed(text)
    }
}

private func waitUntilQueued(_ batcher: EmbeddingBatcher, _ count: Int) async throws {
    while batcher.statistics.queued < count { try await Task.sleep(for: .milliseconds(1)) }
}

@Suite("Embedding batcher", .timeLimit(.minutes(1)))
struct EmbeddingBatcherTests {
    @Test func textsThatArriveWhileTheWorkerIsBusyAreEmbeddedTogetherInOneBatch() async throws {
        let gate = GatedBatches()
        // The gate holds a batch past any estimate, so the wait bound is set out of the way
        // here and in the other tests of batching and queueing.
        let batcher = EmbeddingBatcher(settings: .init(workers: 1, maxBatch: 8, maxQueued: 8, maxWait: .seconds(60)), compute: gate.compute)
        async let first = batcher.embed("a")
        try await gate.waitForBatches(1)
        async let second = batcher.embed("bb")
        async let third = batcher.embed("ccc")
        async let fourth = batcher.embed("dddd")
        try await waitUntilQueued(batcher, 3)
        gate.openGate()
        let vectors = try await [first, second, third, fourth]
        #expect(vectors.map { $0[0] } == [1, 2, 3, 4])
        #expect(gate.batches.count == 2)
        #expect(gate.batches[0] == ["a"])
        #expect(Set(gate.batches[1]) == ["bb", "ccc", "dddd"])
        let statistics = batcher.statistics
        #expect(statistics.batches == 2)
        #expect(statistics.texts == 4)
        #expect(statistics.largestBatch == 3)
        #expect(statistics.queueWait.count == 4)
        #expect(statistics.rejected == 0)
    }

    @Test func aBatchNeverTakesMoreThanTheBatchSize() async throws {
        let gate = GatedBatches()
        let batcher = EmbeddingBatcher(settings: .init(workers: 1, maxBatch: 2, maxQueued: 8, maxWait: .seconds(60)), compute: gate.compute)
        async let first = batcher.embed("a")
        try await gate.waitForBatches(1)
        async let rest = withThrowingTaskGroup(of: [Float].self) { group in
            for text in ["b", "c", "d", "e", "f"] { group.addTask { try await batcher.embed(text) } }
            return try await group.reduce(into: 0) { count, _ in count += 1 }
        }
        try await waitUntilQueued(batcher, 5)
        gate.openGate()
        _ = try await first
        #expect(try await rest == 5)
        #expect(gate.batches.map(\.count) == [1, 2, 2, 1])
    }

    @Test func whenTheQueueIsFullATextIsRefusedAtOnceInsteadOfWaiting() async throws {
        let gate = GatedBatches()
        let batcher = EmbeddingBatcher(settings: .init(workers: 1, maxBatch: 8, maxQueued: 2, maxWait: .seconds(60)), name: "gated", compute: gate.compute)
        async let held = batcher.embed("a")
        try await gate.waitForBatches(1)
        async let queued1 = batcher.embed("b")
        async let queued2 = batcher.embed("c")
        try await waitUntilQueued(batcher, 2)
        // The gate is still shut: this call can only return because it was refused, not served.
        do {
            _ = try await batcher.embed("d")
            Issue.record("expected the full queue to refuse the text")
        } catch let error as EmbedderOverloaded {
            #expect(error.queued == 2)
            #expect(error.description.contains("the gated embedder is overloaded (2 texts waiting for 1 busy workers)"))
        }
        #expect(batcher.statistics.rejected == 1)
        #expect(gate.batches.count == 1)
        gate.openGate()
        let vectors = try await [held, queued1, queued2]
        #expect(vectors.count == 3)
        // Once the queue drains, texts are accepted again.
        #expect(try await batcher.embed("eeeee")[0] == 5)
    }

    @Test func theExpectedWaitCountsTheBatchInProgressTheFullBatchesAheadAndTheOneJoined() {
        let settings = EmbeddingBatcher.Settings(workers: 2, maxBatch: 4)
        let now = ContinuousClock.now
        let perUnit = 0.001
        func wait(cost: Double = 1, queued: Int, queuedCost: Double, firstFree: ContinuousClock.Instant?) -> Double {
            EmbeddingBatcher.expectedWait(cost: cost, queued: queued, queuedCost: queuedCost, firstFree: firstFree, secondsPerUnit: perUnit, settings: settings, now: now)
        }
        // A free worker and nothing ahead: only the text's own computing.
        #expect(abs(wait(queued: 0, queuedCost: 0, firstFree: nil) - 0.001) < 1e-9)
        // Both workers busy, the first free in 7 ms: that, then the batch of three it joins.
        #expect(abs(wait(queued: 2, queuedCost: 2, firstFree: now + .milliseconds(7)) - 0.010) < 1e-9)
        // Six ahead: one full batch of four (shared by two workers, 2 ms), then a batch of three.
        #expect(abs(wait(queued: 6, queuedCost: 6, firstFree: now + .milliseconds(7)) - 0.012) < 1e-9)
        // A batch running past its expected end counts as about to end, never as negative.
        #expect(abs(wait(queued: 0, queuedCost: 0, firstFree: now - .milliseconds(3)) - 0.001) < 1e-9)
    }

    @Test func longTextsCostMoreThanShortOnesAheadAndAlone() {
        let settings = EmbeddingBatcher.Settings(workers: 1, maxBatch: 8)
        let now = ContinuousClock.now
        let short = EmbeddingBatcher.cost(of: "How do I learn Python?")
        let long = EmbeddingBatcher.cost(of: String(repeating: "Explain the trade-offs of this design in detail. ", count: 4))
        #expect(short > 2 && short < 10)
        #expect(long > 4 * short)
        func wait(cost: Double, aheadCost: Double) -> Double {
            EmbeddingBatcher.expectedWait(cost: cost, queued: 2, queuedCost: aheadCost, firstFree: now, secondsPerUnit: 0.0001, settings: settings, now: now)
        }
        // The same two texts ahead, but long ones: the wait grows with what they cost, not their number.
        #expect(wait(cost: short, aheadCost: 2 * long) > 3 * wait(cost: short, aheadCost: 2 * short))
        // And a long text behind short ones expects its own computing to take longer.
        #expect(wait(cost: long, aheadCost: 2 * short) > wait(cost: short, aheadCost: 2 * short))
    }

    @Test func aTextIsAdmittedAtOnceWhenAWorkerCanTakeItElseWhenItsWaitIsWithinTheBound() {
        let settings = EmbeddingBatcher.Settings(workers: 2, maxQueued: 4, maxWait: .milliseconds(5))
        #expect(EmbeddingBatcher.admits(expectedWait: 0.004, queued: 1, workerToSpare: false, settings))
        #expect(!EmbeddingBatcher.admits(expectedWait: 0.006, queued: 1, workerToSpare: false, settings))
        // A worker to spare with nothing waiting takes a text whatever its estimate; with texts
        // waiting, the text is behind them and the bound applies; a full queue refuses one.
        #expect(EmbeddingBatcher.admits(expectedWait: 0.050, queued: 0, workerToSpare: true, settings))
        #expect(!EmbeddingBatcher.admits(expectedWait: 0.050, queued: 1, workerToSpare: true, settings))
        #expect(!EmbeddingBatcher.admits(expectedWait: 0, queued: 4, workerToSpare: false, settings))
    }

    @Test func aBatchPastItsExpectedEndIsTakenToNeedAsLongAgainAsItIsOverdue() {
        let now = ContinuousClock.now
        #expect(EmbeddingBatcher.projectedEnd(now + .milliseconds(4), now: now) == now + .milliseconds(4))
        #expect(EmbeddingBatcher.projectedEnd(now - .milliseconds(6), now: now) == now + .milliseconds(6))
    }

    #if os(Linux)
    /// `top -H`, `perf sched` and /proc name threads by the kernel's name, which Foundation's
    /// `Thread.name` does not set on Linux: the thread that computes a batch is `embedding-N`.
    @Test(.timeLimit(.minutes(1))) func theKernelNamesEachWorkerThreadAfterItsIndex() async throws {
        let seen = Mutex<String?>(nil)
        let batcher = EmbeddingBatcher(settings: .init(workers: 1, maxBatch: 8, maxQueued: 8)) { texts in
            seen.withLock { $0 = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "unreadable" }
            return texts.map { _ in [1, 0, 0, 0] }
        }
        _ = try await batcher.embed("a")
        #expect(seen.withLock { $0 } == "embedding-0\n")
    }
    #endif

    @Test(.timeLimit(.minutes(1))) func theWaitForEachEmbeddingAndHowLateItWasAgainstTheEstimateAreMeasured() async throws {
        // Two fast texts teach the batcher that text is cheap; the third takes 50 ms, far past
        // what was expected of it.
        let batcher = EmbeddingBatcher(settings: .init(workers: 1, maxBatch: 8, maxQueued: 8)) { texts in
            if texts == ["slow"] { usleep(50_000) }
            return texts.map { [Float($0.count), 0, 0, 0] }
        }
        _ = try await batcher.embed("a")
        _ = try await batcher.embed("b")
        _ = try await batcher.embed("slow")
        let statistics = batcher.statistics
        #expect(statistics.embeddingWait.count == 3)
        #expect(statistics.embeddingWait.max >= .milliseconds(50))
        #expect(statistics.lateness.max >= .milliseconds(40))
        #expect(statistics.lateness.p50 < .milliseconds(40))
        batcher.resetDistributions()
        #expect(batcher.statistics.embeddingWait.count == 0)
        #expect(batcher.statistics.texts == 3)
    }

    @Test(.timeLimit(.minutes(1))) func aTextBehindABatchInProgressIsRefusedWhenThatBatchWillNotBeDoneInTimeEvenWithRoomInTheQueue() async throws {
        let gate = GatedBatches(passing: ["warm"])
        // "warm" takes 100 ms, which teaches the batcher what a text costs (one of "warm"'s length
        // about 100 ms, one of "a"'s about three quarters of that).
        let batcher = EmbeddingBatcher(settings: .init(workers: 1, maxBatch: 8, maxQueued: 8, maxWait: .milliseconds(100)), name: "gated") { texts in
            if texts == ["warm"] { usleep(100_000) }
            return gate.compute(texts)
        }
        _ = try await batcher.embed("warm")
        while batcher.statistics.busyWorkers > 0 { try await Task.sleep(for: .milliseconds(1)) }
        async let held = batcher.embed("a")
        try await gate.waitForBatches(2)
        // Nothing waits, but "a" is expected to take its worker for up to 75 ms more, and this
        // text 75 ms after that: over the 100 ms bound (counting only the text's own cost, as
        // the estimate once did, would have admitted it).
        await #expect(throws: EmbedderOverloaded.self) { try await batcher.embed("b") }
        #expect(batcher.statistics.rejected == 1)
        gate.openGate()
        #expect(try await held[0] == 1)
        // With the worker idle again (the answer can arrive before the worker has said so),
        // nothing waits and the text is taken at once whatever the bound.
        while batcher.statistics.busyWorkers > 0 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(try await batcher.embed("cc")[0] == 2)
    }

    @Test(.timeLimit(.minutes(1))) func aWorkerWithNothingToDoHelpsWithAnotherWorkersBatch() async throws {
        let helped = Atomic<Int>(0)
        let batcher = EmbeddingBatcher(settings: .init(workers: 2, maxBatch: 8)) { texts, team in
            // The idle worker is woken for the team; wait (bounded by the suite's limit) for it.
            if let team {
                while !team.isShared { usleep(100) }
                team.run { part, parts in if parts == 2, part == 1 { helped.add(1, ordering: .relaxed) } }
            }
            return texts.map { [Float($0.count), 0, 0, 0] }
        }
        #expect(try await batcher.embed("alone")[0] == 5)
        #expect(helped.load(ordering: .relaxed) == 1)
        #expect(batcher.statistics.sharedBatches == 1)
        // The helper went back to the pool: both workers come to rest.
        while batcher.statistics.busyWorkers > 0 { try await Task.sleep(for: .milliseconds(1)) }
    }

    @Test func aBatcherWithOneWorkerOrAComputationThatCannotShareOffersNoTeam() async throws {
        let offered = Atomic<Int>(0)
        let single = EmbeddingBatcher(settings: .init(workers: 1, maxBatch: 8)) { texts, team in
            if team != nil { offered.add(1, ordering: .relaxed) }
            return texts.map { [Float($0.count), 0, 0, 0] }
        }
        _ = try await single.embed("a")
        let plain = EmbeddingBatcher(settings: .init(workers: 2, maxBatch: 8)) { texts in texts.map { [Float($0.count), 0, 0, 0] } }
        _ = try await plain.embed("b")
        let unshared = EmbeddingBatcher(settings: .init(workers: 2, maxBatch: 8, sharesBatches: false)) { texts, team in
            if team != nil { offered.add(1, ordering: .relaxed) }
            return texts.map { [Float($0.count), 0, 0, 0] }
        }
        _ = try await unshared.embed("c")
        #expect(offered.load(ordering: .relaxed) == 0)
        #expect(single.statistics.sharedBatches == 0)
        #expect(plain.statistics.sharedBatches == 0)
        #expect(unshared.statistics.sharedBatches == 0)
    }

    @Test(.timeLimit(.minutes(1))) func aHelperLeavesTheBatchItHelpsWithForATextThatArrives() async throws {
        let joined = Atomic<Bool>(false)
        let steps = Mutex<[Int]>([])
        // "long" runs steps until one runs on the owner alone: that is, until its helper has left.
        let batcher = EmbeddingBatcher(settings: .init(workers: 2, maxBatch: 8, maxQueued: 0)) { texts, team in
            if texts == ["long"], let team {
                while !team.isShared { usleep(100) }
                joined.store(true, ordering: .releasing)
                var alone = false
                while !alone {
                    team.run { part, parts in
                        if part == 0 { steps.withLock { $0.append(parts) } }
                        alone = parts == 1
                    }
                }
            }
            return texts.map { [Float($0.count), 0, 0, 0] }
        }
        async let long = batcher.embed("long")
        while !joined.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }
        // Both workers are on "long" and nothing may queue (maxQueued 0), yet the text is taken:
        // the helper counts as a worker to spare, leaves between two steps and embeds it.
        #expect(try await batcher.embed("short")[0] == 5)
        #expect(try await long[0] == 4)
        let parts = steps.withLock { $0 }
        #expect(parts.last == 1)
        #expect(parts.dropLast().allSatisfy { $0 == 2 })
        #expect(batcher.statistics.rejected == 0)
        #expect(batcher.statistics.sharedBatches == 1)
    }

    @Test func aTextAlreadyBeingEmbeddedIsJoinedAndARecentOneIsRemembered() async throws {
        let gate = GatedBatches()
        let batcher = EmbeddingBatcher(settings: .init(workers: 1, maxBatch: 8, maxQueued: 0), compute: gate.compute)
        async let first = batcher.embed("same")
        try await gate.waitForBatches(1)
        // The queue admits nothing more (maxQueued 0), but a call for the text in flight needs no room.
        async let second = batcher.embed("same")
        while batcher.statistics.joined < 1 { try await Task.sleep(for: .milliseconds(1)) }
        gate.openGate()
        #expect(try await first == [4, 0, 0, 0])
        #expect(try await second == [4, 0, 0, 0])
        #expect(try await batcher.embed("same") == [4, 0, 0, 0])
        #expect(gate.batches == [["same"]])
        let statistics = batcher.statistics
        #expect(statistics.joined == 1)
        #expect(statistics.remembered == 1)
        #expect(statistics.rejected == 0)
    }

    @Test func onlyTheLastRecentTextsAreRemembered() async throws {
        let gate = GatedBatches()
        gate.openGate()
        let batcher = EmbeddingBatcher(settings: .init(workers: 1, maxBatch: 8, maxQueued: 8, recentTexts: 2), compute: gate.compute)
        for text in ["a", "bb", "ccc"] { _ = try await batcher.embed(text) }
        _ = try await batcher.embed("ccc")
        _ = try await batcher.embed("a")
        #expect(gate.batches == [["a"], ["bb"], ["ccc"], ["a"]])
        #expect(batcher.statistics.remembered == 1)
    }

    @Test func workersComputeBatchesAtTheSameTimeUpToTheirNumber() async throws {
        let gate = GatedBatches()
        let batcher = EmbeddingBatcher(settings: .init(workers: 2, maxBatch: 8, maxQueued: 8, maxWait: .seconds(60)), compute: gate.compute)
        async let first = batcher.embed("a")
        try await gate.waitForBatches(1)
        async let second = batcher.embed("b")
        // Both texts are in a batch of their own at the same time: two workers, both busy.
        try await gate.waitForBatches(2)
        async let third = batcher.embed("c")
        try await waitUntilQueued(batcher, 1)
        #expect(gate.batches.count == 2)
        gate.openGate()
        _ = try await [first, second, third]
        #expect(gate.batches.count == 3)
    }

    #if canImport(Glibc)
    /// Workers yield a contended core to the request path: their nice value is the setting's
    /// above their creator's, while the creating thread keeps its own.
    @Test(arguments: [0, 10, 19])
    func workersRunAtTheConfiguredNiceness(niceness: Int) async throws {
        let process = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        // Read and made on one thread (no suspension between): workers inherit its nice value.
        let batcher = EmbeddingBatcher(settings: .init(workers: 2, niceness: niceness)) { texts in
            texts.map { _ in [Float(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)), 0, 0, 0] }
        }
        let creator = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let vectors = try await [batcher.embed("a"), batcher.embed("b")]
        #expect(vectors.map { Int($0[0]) } == [min(Int(process) + niceness, 19), min(Int(process) + niceness, 19)])
        #expect(creator == process)
    }
    #endif

    /// The workers hold the batcher only while draining: once its users let go, it is freed
    /// (and its threads end) instead of living as long as the process.
    @Test func aBatcherNobodyHoldsIsFreed() async throws {
        weak var released: EmbeddingBatcher?
        do {
            let batcher = EmbeddingBatcher(settings: .init(workers: 2)) { texts in texts.map { _ in [1, 0, 0, 0] } }
            released = batcher
            _ = try await batcher.embed("a")
        }
        // A worker may still hold it for the instant between answering and finding the queue empty.
        for _ in 0..<1_000 where released != nil { try await Task.sleep(for: .milliseconds(1)) }
        #expect(released == nil)
    }

    @Test func anOverloadedEmbedderMakesTheRequestACountedMissAnsweredByTheProvider() async throws {
        let gate = GatedBatches()
        let batcher = EmbeddingBatcher(settings: .init(workers: 1, maxBatch: 8, maxQueued: 0), name: "gated", compute: gate.compute)
        let engine = try ServingEngine(configuration: testConfiguration(), providers: ["a", "b", "c", "z"].map { ScriptedProvider($0) }, embedder: BatchedEmbedder(batcher: batcher))
        // The first request's embedding holds the only worker.
        async let first = engine.complete(ChatRequest(prompt: "What is the capital of France?"))
        try await gate.waitForBatches(1)
        let response = try await engine.complete(ChatRequest(prompt: "What is the capital of Spain?"))
        #expect(response.text == "default answer")
        #expect(response.decision.provider == "a")
        guard case .unavailable(let reason) = response.decision.cache else {
            Issue.record("expected the cache outcome to be unavailable, got \(response.decision.cache)")
            gate.openGate()
            _ = try await first
            return
        }
        #expect(reason.contains("overloaded"))
        #expect(engine.snapshot().totals.embedderFailures == 1)
        // The refused request did not wait for the held embedding: it is still held.
        #expect(gate.batches.count == 1)
        gate.openGate()
        let held = try await first
        #expect(held.decision.cache == .miss(bestSimilarity: nil))
        #expect(engine.snapshot().totals.embedderFailures == 1)
    }
}
