#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time the calling thread has used: what a measurement reports beside the wall clock, which
/// on a shared machine also counts the time the thread waited for a core.
package enum ThreadCPU {
    /// The calling thread's CPU time so far (zero where the clock is missing).
    package static func now() -> Duration {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return .zero }
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }
}
