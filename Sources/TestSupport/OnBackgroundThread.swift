import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs CPU-bound test work (thousands of fuzz cases) on a thread of its own at the lowest
/// scheduling priority, and awaits its result: it never holds a thread of the cooperative pool,
/// and it takes only CPU time that the suites with clocks running (timeouts, deadlines) leave.
package func onBackgroundThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread {
            #if os(Linux)
            // On Linux the nice value belongs to the thread, and 0 names the calling one: this
            // thread yields to every other.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            #endif
            continuation.resume(returning: work())
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
