@testable import Gateway
import Testing

/// The per-key limit as a pure state machine, and its slots' exactly-once release.
@Suite("Concurrency limiter")
struct ConcurrencyLimiterTests {
    @Test func eachKeyIsAdmittedUpToTheLimitThenRefused() {
        var limiter = ConcurrencyLimiter(limit: 2)
        #expect(limiter.acquire("a") == .admitted(inFlight: 1))
        #expect(limiter.acquire("a") == .admitted(inFlight: 2))
        #expect(limiter.acquire("a") == .refused(inFlight: 2))
        #expect(limiter.acquire("b") == .admitted(inFlight: 1), "keys do not share a limit")
        limiter.release("a")
        #expect(limiter.acquire("a") == .admitted(inFlight: 2))
    }

    @Test func releasingNeverGoesNegativeAndIdleKeysAreForgotten() {
        var limiter = ConcurrencyLimiter(limit: 1)
        limiter.release("never-acquired")
        #expect(limiter.count("never-acquired") == 0 && limiter.activeKeys == 0)
        _ = limiter.acquire("a")
        limiter.release("a")
        limiter.release("a")
        #expect(limiter.count("a") == 0 && limiter.activeKeys == 0)
        #expect(limiter.acquire("a") == .admitted(inFlight: 1))
        #expect(ConcurrencyLimiter(limit: 0).limit == 1, "a limit below one would refuse everything")
    }

    @Test func aSlotIsReleasedOnceWhetherExplicitlyOrWhenDropped() throws {
        let slots = RequestSlots(limit: 1)
        let slot = try slots.acquire("k").get()
        #expect(slots.inFlight("k") == 1)
        guard case .failure(let refusal) = slots.acquire("k") else {
            Issue.record("a second slot was handed out")
            return
        }
        #expect(refusal.inFlight == 1)
        slot.release()
        slot.release()
        #expect(slots.inFlight("k") == 0)
        do {
            _ = try slots.acquire("k").get()  // dropped at once, never released by hand
        }
        #expect(slots.inFlight("k") == 0, "a dropped slot gives its place back")
    }
}
