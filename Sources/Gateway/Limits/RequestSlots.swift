import Synchronization

/// The gateway's per-key concurrency limit, shared by every request handler.
///
/// ``acquire(_:)`` hands out a ``Slot`` that must be given back exactly once, however the request
/// ends: the handler releases it when the answer is complete, the streaming body when the stream
/// ends, fails or the client leaves, and the slot's `deinit` as a last resort if a response body
/// is dropped without ever running (a client gone before the headers were written).
final class RequestSlots: Sendable {
    private let limiter: Mutex<ConcurrencyLimiter>

    init(limit: Int) {
        limiter = Mutex(ConcurrencyLimiter(limit: limit))
    }

    /// The limit per key.
    var limit: Int { limiter.withLock { $0.limit } }

    /// A slot for `key`, or nil with the number in flight when the key is at its limit.
    func acquire(_ key: String) -> Result<Slot, Refusal> {
        switch limiter.withLock({ $0.acquire(key) }) {
        case .admitted: .success(Slot(key: key, owner: self))
        case .refused(let inFlight): .failure(Refusal(inFlight: inFlight))
        }
    }

    /// How many requests `key` has in flight now.
    func inFlight(_ key: String) -> Int {
        limiter.withLock { $0.count(key) }
    }

    fileprivate func release(_ key: String) {
        limiter.withLock { $0.release(key) }
    }

    /// Why a slot was refused.
    struct Refusal: Error, Sendable {
        var inFlight: Int
    }

    /// One request's place under the limit.
    final class Slot: Sendable {
        private let key: String
        private let owner: RequestSlots
        private let released = Atomic(false)

        fileprivate init(key: String, owner: RequestSlots) {
            self.key = key
            self.owner = owner
        }

        /// Gives the place back; later calls do nothing.
        func release() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            owner.release(key)
        }

        deinit { release() }
    }
}
