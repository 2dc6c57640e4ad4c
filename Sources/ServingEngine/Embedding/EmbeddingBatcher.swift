import DequeModule
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Embeds the texts of concurrent callers together: a fixed number of workers (one per core by
/// default) each take every text waiting, up to ``Settings/maxBatch``, and compute them as one
/// batch, so the encoder streams its weights once for many queries instead of once each.
///
/// There is no collection timer. A worker that is free starts at once on whatever is waiting,
/// so a lone query is never held back; batches grow only while every worker is busy, which is
/// exactly when batching pays. The latency batching adds is the time a text waits for a worker,
/// and it is measured (``Statistics/queueWait``).
///
/// A text embedded recently (one of the last ``Settings/recentTexts``) is answered from memory,
/// and a text already waiting or being embedded is not queued twice: its callers share the one
/// embedding. Both happen on real traffic — the same prompt from another tenant or with another
/// system prompt misses the exact-match cache but embeds the same, and a popular prompt arrives
/// many times before its first answer is stored.
///
/// The queue is bounded twice: when ``Settings/maxQueued`` texts already wait, or when the time a
/// new text can expect to wait for its embedding is over ``Settings/maxWait``, ``embed(_:)``
/// throws ``EmbedderOverloaded`` at once instead of waiting. That time is what is left of the
/// batch the first worker to come free is computing, then the batch the text joins (the texts
/// ahead of it and itself), and a share of each full batch ahead of it; all busy workers'
/// batches count, since a worker takes every waiting text it can. Each text is costed by its
/// length (``cost(of:)``, about its tokens) at the recent seconds per unit of that cost, so a
/// long prompt ahead counts for more than a short one. The bound follows the machine: a slower
/// or busier one admits fewer. How far the estimate misses is measured
/// (``Statistics/lateness``). The cache treats a refusal as a failed
/// embedding, so under overload a request becomes a counted miss (`unavailable`) served by the
/// providers, never a request stuck behind an ever longer queue.
///
/// ```swift
/// let batcher = EmbeddingBatcher(settings: .init(workers: 2)) { texts in model.vectors(for: texts) }
/// let vector = try await batcher.embed("How do I learn Python?")
/// ```
///
/// Workers are threads of their own, never Swift's cooperative pool: a batch is milliseconds of
/// solid CPU. On Linux they run at a lower priority than the rest of the process
/// (``Settings/niceness``), so that the threads a request's latency depends on — the gateway's
/// event loops, the engine's tasks, the console's UI thread — take a core from a batch at once
/// instead of waiting for the scheduler's next turn; embedding is throughput work, and when it
/// falls behind, the wait bound turns lookups into counted misses. (Linux's idle class,
/// `SCHED_IDLE`, was measured instead and lost: a worker preempted while it hands answers to
/// Swift's executor delays the tasks queued behind that hand-over, and exact hits' p99 rose 3–5×.)
public final class EmbeddingBatcher: Sendable {
    /// How many workers, how large a batch, how long a queue.
    public struct Settings: Sendable, Hashable {
        /// Batches computed at the same time; one per core uses the machine without
        /// oversubscribing it.
        public var workers: Int
        /// The most texts one batch takes.
        public var maxBatch: Int
        /// The most texts that may wait for a worker; beyond it ``EmbeddingBatcher/embed(_:)``
        /// throws ``EmbedderOverloaded``.
        public var maxQueued: Int
        /// The longest wait for its embedding a text is admitted to, estimated when it arrives:
        /// for a worker to come free, and then for the batch it joins to be computed. A text a
        /// worker is free to take at once is always admitted.
        public var maxWait: Duration
        /// How many recent texts' embeddings are remembered (each 4 bytes a dimension plus the
        /// text); 0 turns the memory off.
        public var recentTexts: Int
        /// How much lower than the process's the workers' scheduling priority is (a Linux nice
        /// increment, 0 to 19; ignored elsewhere).
        public var niceness: Int
        /// Whether a worker with nothing to do helps another worker's batch (when the embedder
        /// can split its work), so that a lone text uses two cores instead of one. A helper
        /// leaves the batch, between two of its steps, as soon as a text arrives for it.
        public var sharesBatches: Bool

        /// The defaults: a worker per active core, batches of up to 32 texts, at most 128
        /// waiting and at most an expected 5 ms of waiting for an embedding — two or three demo
        /// prompts' computing on this project's machines, so that the engine's latency aim (p99 ≤ 5 ms at 1,000
        /// requests a second) holds when the embedder keeps up, and a request skips the cache
        /// rather than queue when it does not. The last 2,048 texts' embeddings are remembered.
        /// Workers run at nice +10: about a tenth of a nice-0 thread's share of a contended core.
        /// Idle workers help with batches.
        /// - Parameter workers: Batches at a time; nil takes the number of active cores.
        public init(
            workers: Int? = nil, maxBatch: Int = 32, maxQueued: Int = 128, maxWait: Duration = .milliseconds(5), recentTexts: Int = 2_048, niceness: Int = 10,
            sharesBatches: Bool = true
        ) {
            self.sharesBatches = sharesBatches
            self.maxWait = maxWait
            self.niceness = min(max(niceness, 0), 19)
            self.recentTexts = max(0, recentTexts)
            self.workers = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
            self.maxBatch = max(1, maxBatch)
            self.maxQueued = max(0, maxQueued)
        }
    }

    /// What the batcher has done since it was made.
    public struct Statistics: Sendable {
        /// Texts embedded.
        public var texts = 0
        /// Batches computed.
        public var batches = 0
        /// The largest batch.
        public var largestBatch = 0
        /// Texts refused because the queue was full.
        public var rejected = 0
        /// Calls answered from the recent embeddings, without computing.
        public var remembered = 0
        /// Calls that joined a call for the same text already waiting or being embedded.
        public var joined = 0
        /// Texts waiting now.
        public var queued = 0
        /// Workers computing (or about to look for work) now.
        public var busyWorkers = 0
        /// Batches that a second, otherwise idle worker helped compute.
        public var sharedBatches = 0
        /// How long texts waited for a worker (the latency batching adds).
        public var queueWait = LatencySummary.empty
        /// How long computed texts took from arriving to their embedding: what the wait bound
        /// (``Settings/maxWait``) estimates when a text arrives.
        public var embeddingWait = LatencySummary.empty
        /// How much later than estimated on arrival computed texts got their embedding (zero for
        /// those that were on time): the error of the wait bound's estimate.
        public var lateness = LatencySummary.empty

        /// Texts per batch on average.
        public var meanBatch: Double { batches == 0 ? 0 : Double(texts) / Double(batches) }
    }

    private struct Pending {
        var text: String
        var enqueued: ContinuousClock.Instant
        /// What computing the text costs, in ``EmbeddingBatcher/cost(of:)``'s units.
        var cost: Double
        /// Seconds the text was expected to wait for its embedding when it arrived.
        var expected = 0.0
        var continuation: CheckedContinuation<[Float], any Error>
    }

    private struct State {
        var waiting: Deque<Pending> = []
        /// The cost of the texts in `waiting`, summed.
        var waitingCost = 0.0
        /// Texts waiting or being embedded → the callers that joined them.
        var inFlight: [String: [CheckedContinuation<[Float], any Error>]] = [:]
        var recent: [String: [Float]] = [:]
        var recentOrder: Deque<String> = []
        var remembered = 0
        var joined = 0
        /// Seconds of compute per unit of ``EmbeddingBatcher/cost(of:)``, averaged over recent
        /// batches computed by one worker (0 before the first).
        var secondsPerUnit = 0.0
        /// … over recent batches that a second worker helped with (0 before the first).
        var secondsPerUnitShared = 0.0
        /// A batch whose worker asked for an idle worker's help and has not been joined yet.
        var helpWanted: WorkTeam?
        /// The batch a worker is helping with (until that worker has left it): it can be recalled for a text at once.
        var beingHelped: WorkTeam?
        var sharedBatches = 0
        var running = 0
        /// When each busy worker's batch is expected to be done, by worker.
        var expectedEnds: [Int: ContinuousClock.Instant] = [:]
        var texts = 0
        var batches = 0
        var largestBatch = 0
        var rejected = 0
        var queueWait = LatencyHistogram()
        var embeddingWait = LatencyHistogram()
        var lateness = LatencyHistogram()
        /// Whether a worker can take a text at once: one is idle, or one is helping with (or
        /// about to help with) another's batch, which it leaves for the text.
        func hasWorkerToSpare(_ settings: Settings) -> Bool {
            running < settings.workers || beingHelped != nil || helpWanted != nil
        }

        func expectedWait(cost: Double, at now: ContinuousClock.Instant, _ settings: Settings) -> Double {
            EmbeddingBatcher.expectedWait(
                cost: cost, queued: waiting.count, queuedCost: waitingCost,
                firstFree: hasWorkerToSpare(settings) ? nil : expectedEnds.values.map { EmbeddingBatcher.projectedEnd($0, now: now) }.min(),
                secondsPerUnit: secondsPerUnit, settings: settings, now: now
            )
        }
    }

    /// The settings in force.
    public let settings: Settings
    private let state = Mutex(State())
    private let compute: @Sendable ([String], WorkTeam?) -> [[Float]]
    /// Whether `compute` uses a ``WorkTeam``, so that an idle worker can help with a batch.
    private let sharesWork: Bool
    /// Signalled once for each worker to wake (a text to embed, or the batcher gone).
    private let wake = DispatchSemaphore(value: 0)
    private let name: String

    /// Creates a batcher that embeds with `compute`, which must return one vector per text, in
    /// order; it runs on the batcher's workers, up to ``Settings/workers`` calls at a time.
    /// - Parameters:
    ///   - settings: Workers, batch size and queue bound.
    ///   - name: The embedder's name, for error messages.
    ///   - compute: Embeds a batch synchronously.
    public convenience init(settings: Settings = Settings(), name: String = "minilm", compute: @escaping @Sendable ([String]) -> [[Float]]) {
        self.init(settings: settings, name: name, sharesWork: false) { texts, _ in compute(texts) }
    }

    /// Creates a batcher whose `compute` can split a batch's work with a second worker: when a
    /// worker takes a batch while another has nothing to do (and ``Settings/sharesBatches``), it
    /// passes `compute` a ``WorkTeam`` that the idle worker joins, so that a lone query uses both
    /// cores instead of one. `compute` must return one vector per text, in order, whether the
    /// team is joined or not.
    package convenience init(settings: Settings = Settings(), name: String = "minilm", compute: @escaping @Sendable ([String], WorkTeam?) -> [[Float]]) {
        self.init(settings: settings, name: name, sharesWork: settings.sharesBatches, compute: compute)
    }

    private init(settings: Settings, name: String, sharesWork: Bool, compute: @escaping @Sendable ([String], WorkTeam?) -> [[Float]]) {
        self.settings = settings
        self.name = name
        self.sharesWork = sharesWork
        self.compute = compute
        for index in 0..<settings.workers { startWorker(index) }
    }

    deinit {
        // Each worker wakes, finds the batcher gone and ends.
        for _ in 0..<settings.workers { wake.signal() }
    }

    /// A thread that sleeps until woken, then drains the queue. It holds the batcher only while
    /// draining, so the batcher goes away when its last user lets go.
    private func startWorker(_ index: Int) {
        let wake = self.wake, niceness = settings.niceness, index = index
        let thread = Thread { [weak self] in
            #if canImport(Glibc)
            // Linux keeps a nice value per thread (inherited from the thread that made this one):
            // `who` 0 is this thread alone.
            if niceness > 0 {
                let which = __priority_which_t(PRIO_PROCESS.rawValue)
                _ = setpriority(which, 0, min(getpriority(which, 0) + Int32(niceness), 19))
            }
            // Foundation's `Thread.name` does not reach the kernel here, so `top -H`, `perf sched`
            // and /proc showed the workers under Dispatch's thread names. The kernel's own name
            // (at most 15 bytes) is this thread's `comm` (Glibc does not export pthread_setname_np).
            if let comm = fopen("/proc/thread-self/comm", "w") {
                fputs("embedding-\(index)", comm)
                fclose(comm)
            }
            #endif
            while true {
                wake.wait()
                guard let batcher = self else { return }
                batcher.drain(worker: index)
            }
        }
        thread.name = "embedding-\(index)"
        thread.start()
    }

    /// The embedding of `text`, computed in a batch with whatever else is waiting.
    /// - Throws: ``EmbedderOverloaded`` at once when ``Settings/maxQueued`` texts already wait.
    public func embed(_ text: String) async throws -> [Float] {
        try await withCheckedThrowingContinuation { continuation in
            var pending = Pending(text: text, enqueued: .now, cost: Self.cost(of: text), continuation: continuation)
            enum Admission { case remembered([Float]), rejected(queued: Int), queued, startWorker }
            let admission: Admission = state.withLock { state in
                if let vector = state.recent[text] {
                    state.remembered += 1
                    return .remembered(vector)
                }
                if state.inFlight[text] != nil {
                    state.inFlight[text]?.append(continuation)
                    state.joined += 1
                    return .queued
                }
                pending.expected = state.expectedWait(cost: pending.cost, at: pending.enqueued, settings)
                guard Self.admits(
                    expectedWait: pending.expected, queued: state.waiting.count,
                    workerToSpare: state.hasWorkerToSpare(settings), settings
                ) else {
                    state.rejected += 1
                    return .rejected(queued: state.waiting.count)
                }
                state.waiting.append(pending)
                state.waitingCost += pending.cost
                state.inFlight[text] = []
                guard state.running < settings.workers else {
                    // The helper leaves its batch after the step it is in and takes this text:
                    // sharing a batch must not keep a text waiting for a worker.
                    state.beingHelped?.recall()
                    state.beingHelped = nil
                    return .queued
                }
                state.running += 1
                return .startWorker
            }
            switch admission {
            case .remembered(let vector):
                continuation.resume(returning: vector)
            case .rejected(let queued):
                continuation.resume(throwing: EmbedderOverloaded(embedder: name, queued: queued, workers: settings.workers))
            case .queued:
                break
            case .startWorker:
                wake.signal()
            }
        }
    }

    /// What computing `text` costs relative to other texts: about its number of tokens. The
    /// encoder's work grows with a text's tokens (batches are not padded), and WordPiece makes
    /// about one token of four bytes of English, plus the two markers every sequence carries.
    /// Prompts differ in length several times over, so a cost per text would misjudge both.
    static func cost(of text: String) -> Double {
        2 + Double(text.utf8.count) / 4
    }

    /// When a batch expected to end at `expectedEnd` will end, seen at `now`: then, or when it is
    /// already overdue, as long again from now as it is overdue — a worker starved of its core
    /// (or slowed by a long text) must stop the admission of texts behind it, not look about to
    /// be free.
    static func projectedEnd(_ expectedEnd: ContinuousClock.Instant, now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        expectedEnd >= now ? expectedEnd : now + (now - expectedEnd)
    }

    /// Whether a text expected to wait `expectedWait` seconds is admitted with `queued` texts
    /// waiting ahead of it: at once when nothing waits and a worker can take it
    /// (`workerToSpare`: one is idle or helping with another's batch), else when the queue has
    /// room and the expected wait is within ``Settings/maxWait``.
    static func admits(expectedWait: Double, queued: Int, workerToSpare: Bool, _ settings: Settings) -> Bool {
        if workerToSpare, queued == 0 { return true }
        return queued < settings.maxQueued && expectedWait <= settings.maxWait.seconds
    }

    /// Seconds a text of `cost` arriving at `now` can expect to wait for its embedding, with
    /// `queued` texts of `queuedCost` in all ahead of it and the first busy worker expected free
    /// at `firstFree` (nil when one is free now): until then, then a share of each full batch
    /// ahead of it (the workers take those between them), then the batch it joins.
    static func expectedWait(
        cost: Double, queued: Int, queuedCost: Double, firstFree: ContinuousClock.Instant?,
        secondsPerUnit: Double, settings: Settings, now: ContinuousClock.Instant
    ) -> Double {
        let untilFree = firstFree.map { max(.zero, $0 - now).seconds } ?? 0
        let inFullBatches = queued / settings.maxBatch * settings.maxBatch
        // The texts ahead are taken as of average cost when split between full batches and the
        // one joined: the queue's order is not worth keeping per-text sums for.
        let aheadCost = queued == 0 ? 0 : queuedCost * Double(inFullBatches) / Double(queued)
        let joinedCost = queuedCost - aheadCost + cost
        return untilFree + (aheadCost / Double(settings.workers) + joinedCost) * secondsPerUnit
    }

    /// Counters and the queue-wait distribution so far.
    public var statistics: Statistics {
        state.withLock { state in
            Statistics(
                texts: state.texts, batches: state.batches, largestBatch: state.largestBatch, rejected: state.rejected,
                remembered: state.remembered, joined: state.joined,
                queued: state.waiting.count, busyWorkers: state.running, sharedBatches: state.sharedBatches, queueWait: state.queueWait.summary(),
                embeddingWait: state.embeddingWait.summary(), lateness: state.lateness.summary()
            )
        }
    }

    /// Empties the wait distributions of ``statistics`` (the counters stay), so that a
    /// measurement can read one phase's own.
    package func resetDistributions() {
        state.withLock { state in
            state.queueWait.reset()
            state.embeddingWait.reset()
            state.lateness.reset()
        }
    }

    /// A worker's loop (worker number `worker`): takes what waits, embeds it, answers, until
    /// nothing waits.
    private func drain(worker: Int) {
        while true {
            let now = ContinuousClock.now
            enum Work { case none, help(WorkTeam), batch([Pending], WorkTeam?) }
            let work: Work = state.withLock { state in
                if let team = state.helpWanted {
                    state.helpWanted = nil
                    // Texts that came since the team was formed come first; the owner then
                    // computes its batch alone.
                    if state.waiting.isEmpty {
                        state.beingHelped = team
                        return .help(team)
                    }
                }
                let count = min(settings.maxBatch, state.waiting.count)
                guard count > 0 else {
                    state.running -= 1
                    state.expectedEnds[worker] = nil
                    return .none
                }
                var batch: [Pending] = []
                batch.reserveCapacity(count)
                var cost = 0.0
                for _ in 0..<count {
                    let next = state.waiting.removeFirst()
                    state.queueWait.record(now - next.enqueued)
                    cost += next.cost
                    batch.append(next)
                }
                state.waitingCost = state.waiting.isEmpty ? 0 : max(0, state.waitingCost - cost)
                // A worker with nothing to do helps with this batch: it is woken as for a text,
                // and takes the team before it looks for texts.
                var team: WorkTeam?
                if sharesWork, state.running < settings.workers, state.helpWanted == nil {
                    team = WorkTeam()
                    state.helpWanted = team
                    state.running += 1
                }
                let perUnit = team != nil && state.secondsPerUnitShared > 0 ? state.secondsPerUnitShared : state.secondsPerUnit
                state.expectedEnds[worker] = now + .seconds(cost * perUnit)
                state.texts += count
                state.batches += 1
                state.largestBatch = max(state.largestBatch, count)
                return .batch(batch, team)
            }
            let batch: [Pending], team: WorkTeam?
            switch work {
            case .none:
                return
            case .help(let joining):
                joining.help()
                state.withLock { state in
                    if state.beingHelped === joining { state.beingHelped = nil }
                }
                continue
            case .batch(let taken, let sharing):
                (batch, team) = (taken, sharing)
            }
            if team != nil { wake.signal() }
            let began = ContinuousClock.now
            let vectors = compute(batch.map(\.text), team)
            let perUnit = (ContinuousClock.now - began).seconds / batch.reduce(0.0) { $0 + $1.cost }
            team?.finish()
            precondition(vectors.count == batch.count, "an embedding batch must return one vector per text")
            let done = ContinuousClock.now
            let joined: [[CheckedContinuation<[Float], any Error>]] = state.withLock { state in
                // A helper that never came is not waited for; the worker woken for it finds
                // nothing to help with and looks for texts, or sleeps again.
                if let team, state.helpWanted === team { state.helpWanted = nil }
                if let team, team.isShared {
                    state.sharedBatches += 1
                    state.secondsPerUnitShared = state.secondsPerUnitShared == 0 ? perUnit : 0.8 * state.secondsPerUnitShared + 0.2 * perUnit
                } else {
                    state.secondsPerUnit = state.secondsPerUnit == 0 ? perUnit : 0.8 * state.secondsPerUnit + 0.2 * perUnit
                }
                for pending in batch {
                    let waited = done - pending.enqueued
                    state.embeddingWait.record(waited)
                    state.lateness.record(max(.zero, waited - .seconds(pending.expected)))
                }
                return batch.indices.map { index in
                    let text = batch[index].text
                    if settings.recentTexts > 0, state.recent.updateValue(vectors[index], forKey: text) == nil {
                        state.recentOrder.append(text)
                        if state.recentOrder.count > settings.recentTexts { state.recent[state.recentOrder.removeFirst()] = nil }
                    }
                    return state.inFlight.removeValue(forKey: text) ?? []
                }
            }
            for index in batch.indices {
                batch[index].continuation.resume(returning: vectors[index])
                for continuation in joined[index] { continuation.resume(returning: vectors[index]) }
            }
        }
    }
}

/// The embedder's queue was full, so the text was not embedded: the cache is skipped for this
/// request (a counted `unavailable` miss) rather than made to wait.
public struct EmbedderOverloaded: Error, Sendable, CustomStringConvertible {
    /// The embedder's name.
    public var embedder: String
    /// Texts that were waiting.
    public var queued: Int
    /// Workers, all busy.
    public var workers: Int

    public var description: String {
        "the \(embedder) embedder is overloaded (\(queued) texts waiting for \(workers) busy workers), so this request skipped the cache instead of waiting; raise capacity or expect more misses at this rate"
    }
}
