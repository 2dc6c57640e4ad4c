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
/// the helper came, or whether it left early.
///
/// A step is a few hundred microseconds at most, so the two threads meet by spinning on atomics
/// rather than sleeping: a sleep and a wake-up would cost as much as the step saves. After a
/// short spin a waiting thread yields its core at each turn, so that a partner preempted by the
/// request path does not also cost the request path the waiting thread's core. The helper
/// waits only while the pass lasts (``help()`` returns at ``finish()``), and leaves between two
/// steps when its worker is wanted for texts of its own (``recall()``).
package final class WorkTeam: @unchecked Sendable {
    /// How many parts each step is split into.
    package static let parts = 2

    /// The hand-over between the two threads: whether a helper is there and where the step is.
    private enum Mailbox {
        /// No helper: not come yet, or left.
        static let absent = 0
        /// The helper waits for a step.
        static let idle = 1
        /// A step waits for the helper.
        static let posted = 2
        /// The helper has finished the posted step; the owner has yet to take it back.
        static let done = 3
    }
    private let mailbox = Atomic<Int>(Mailbox.absent)
    private let joined = Atomic<Bool>(false)
    /// Set by ``finish()`` or ``recall()``: the helper leaves when it next waits, or never joins.
    private let released = Atomic<Bool>(false)
    /// The step being run; set by the owner before a step is posted, read by the helper after it
    /// sees it posted, cleared after the helper is done with it.
    private var step: ((Int, Int) -> Void)?

    package init() {}

    /// Whether the helper has joined (it may have left since).
    package var isShared: Bool { joined.load(ordering: .acquiring) }

    /// Runs `body(part, parts)`: `body(0, 2)` here and `body(1, 2)` on the helper's thread while
    /// it is there, else `body(0, 1)` here; returns when the step is done. Only the owner calls
    /// it, one step at a time.
    package func run(_ body: (_ part: Int, _ parts: Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            step = body
            // Only a helper that is waiting gets the step: one that has left, or has not come,
            // is never waited for.
            guard mailbox.compareExchange(expected: Mailbox.idle, desired: Mailbox.posted, ordering: .acquiringAndReleasing).exchanged else {
                step = nil
                body(0, 1)
                return
            }
            body(0, Self.parts)
            var spins = 0
            while mailbox.load(ordering: .acquiring) != Mailbox.done { Self.pause(&spins) }
            step = nil
            mailbox.store(Mailbox.idle, ordering: .releasing)
        }
    }

    /// Called by the owner when the pass is done: a helper still waiting leaves, and one that
    /// has not arrived yet will leave at once.
    package func finish() {
        released.store(true, ordering: .releasing)
    }

    /// Asks the helper back for other work: it leaves after the step it is running, if any, and
    /// the owner runs the rest of the pass alone. A helper that has not arrived will not join.
    package func recall() {
        released.store(true, ordering: .releasing)
    }

    /// The helper's side: joins, runs each step's second part as it is posted, and returns when
    /// the owner finishes the pass or ``recall()`` asks for it.
    package func help() {
        guard !released.load(ordering: .acquiring) else { return }
        mailbox.store(Mailbox.idle, ordering: .releasing)
        joined.store(true, ordering: .releasing)
        var spins = 0
        while true {
            switch mailbox.load(ordering: .acquiring) {
            case Mailbox.posted:
                step?(1, Self.parts)
                mailbox.store(Mailbox.done, ordering: .releasing)
                spins = 0
            case Mailbox.idle where released.load(ordering: .acquiring):
                // Fails only when the owner posted a step meanwhile: that step is run first.
                if mailbox.compareExchange(expected: Mailbox.idle, desired: Mailbox.absent, ordering: .acquiringAndReleasing).exchanged { return }
            default:
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
