import Dispatch
import Glibc
import Synchronization

/// Turns SIGINT, SIGTERM and SIGHUP into a flag the UI loop polls, so that the loop, which owns
/// the terminal, restores it before the process ends. Owned by the UI thread.
final class SignalWatcher {
    /// The flag the dispatch handlers set; the only state shared across threads.
    private final class Flag: Sendable {
        let value = Atomic<Int32>(0)
    }

    private static let watched: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    private let flag = Flag()
    private var sources: [any DispatchSourceSignal] = []

    /// Starts watching (the signals' default actions are disabled while watching).
    init() {
        for number in Self.watched {
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let flag = self.flag
            source.setEventHandler {
                flag.value.store(number, ordering: .relaxed)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The signal received, or nil.
    var receivedSignal: Int32? {
        let value = flag.value.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// Stops watching and restores the default actions.
    func stop() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for number in Self.watched { Glibc.signal(number, SIG_DFL) }
    }
}
