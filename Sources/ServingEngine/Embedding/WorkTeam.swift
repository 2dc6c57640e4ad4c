import EmbeddingKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Two threads working through one forward pass step by step: the thread that owns the pass and,
/// once it has joined, a helper lent by ``EmbeddingBatcher`` from a worker that had nothing to
/// do. With the helper there, each step (``run(_:)``) is split in two parts that run at the same
/// time; without it, the owner runs the step whole. A step's parts must compute exactly what
/// the whole step would (row by row, say), so the result never depends on whether, or when,
/// the helper came.
///
/// A step is a few hundred microseconds at most, so the two threads meet by spinning on atomics
/// rather than sleeping: a sleep and a wake-up would cost as much as the step saves. After a
/// short spin a waiting thread yields its core at each turn, so that a partner preempted by the
/// request path does not also cost the request path the waiting thread's core. The helper
/// waits only while the pass lasts (``help()`` returns at ``finish()``).
package final class WorkTeam: @unchecked Sendable {
    /// How many parts each step is split into.
    package static let parts = 2

    /// Incremented by the owner for each step it hands to the helper.
    private let posted = Atomic<Int>(0)
    /// The last step the helper has finished.
    private let completed = Atomic<Int>(0)
    private let joined = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    /// The step being run; set by the owner before `posted` is released, read by the helper after
    /// it acquires it, cleared after `completed` says the helper is done with it.
    private var step: ((Int, Int) -> Void)?

    package init() {}

    /// Whether the helper has joined, so that steps now run on two threads.
    package var isShared: Bool { joined.load(ordering: .acquiring) }

    /// Runs `body(part, parts)`: `body(0, 2)` here and `body(1, 2)` on the helper's thread when
    /// it has joined, else `body(0, 1)` here; returns when the step is done. Only the owner
    /// calls it, one step at a time.
    package func run(_ body: (_ part: Int, _ parts: Int) -> Void) {
        guard joined.load(ordering: .acquiring) else {
            body(0, 1)
            return
        }
        withoutActuallyEscaping(body) { body in
            step = body
            let number = posted.load(ordering: .relaxed) + 1
            posted.store(number, ordering: .releasing)
            body(0, Self.parts)
            var spins = 0
            while completed.load(ordering: .acquiring) != number { Self.pause(&spins) }
            step = nil
        }
    }

    /// Called by the owner when the pass is done: a helper still spinning leaves, and one that
    /// has not arrived yet will leave at once.
    package func finish() {
        finished.store(true, ordering: .releasing)
    }

    /// The helper's side: joins, runs each step's second part as it is posted, and returns when
    /// the owner finishes the pass.
    package func help() {
        guard !finished.load(ordering: .acquiring) else { return }
        var done = posted.load(ordering: .acquiring)
        joined.store(true, ordering: .releasing)
        var spins = 0
        while true {
            let number = posted.load(ordering: .acquiring)
            if number != done {
                step?(1, Self.parts)
                done = number
                spins = 0
                completed.store(number, ordering: .releasing)
            } else if finished.load(ordering: .acquiring) {
                return
            } else {
                Self.pause(&spins)
            }
        }
    }

    /// One turn of a wait for the other thread: a `pause` for the first few hundred turns (the
    /// other part is usually microseconds from done), then a yield of the core, so that when the
    /// other thread has lost its core to a request's, the waiting one gives its own core to the
    /// request path instead of burning it.
    private static func pause(_ spins: inout Int) {
        spins += 1
        if spins < 512 {
            spinPause()
        } else {
            #if canImport(Glibc)
            sched_yield()
            #else
            spinPause()
            #endif
        }
    }
}
