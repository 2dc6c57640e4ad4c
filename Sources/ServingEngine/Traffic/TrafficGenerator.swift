import Foundation

/// The built-in load: Poisson arrivals at the engine's traffic rate, drawn from a
/// ``PromptCatalog`` over the configured tenants, seeded and reproducible.
///
/// The rate and pause switch are its ``TrafficControl``, which the engine keeps (operators change
/// them with commands); the generator reads them before every arrival. Each request runs in its own child task, so a slow
/// provider never slows the arrivals down.
package final class TrafficGenerator: Sendable {
    private let engine: ServingEngine
    private let catalog = PromptCatalog()
    private let seed: UInt64

    /// Creates a generator for `engine`, seeded from its configuration unless `seed` is given.
    package init(engine: ServingEngine, seed: UInt64? = nil) {
        self.engine = engine
        self.seed = seed ?? engine.configuration.traffic.seed
    }

    /// Sends traffic until the task is cancelled or `duration` has passed, then waits for every
    /// request it sent to finish. Returns how many requests it sent.
    @discardableResult
    package func run(for duration: Duration? = nil) async -> Int {
        let control = engine.traffic
        control.setEnabled(true)
        defer { control.setEnabled(false) }
        let clock = ContinuousClock()
        let end = duration.map { clock.now + $0 }
        var random = SeededRandom(seed: seed)
        let tenants = engine.configuration.traffic.tenants
        let tenantWeights = Self.tenantWeights(count: tenants.count)
        let hardShare = engine.configuration.traffic.hardShare
        var sent = 0
        await withDiscardingTaskGroup { group in
            var next = clock.now
            while !Task.isCancelled {
                let status = control.status
                let now = clock.now
                if let end, now >= end { break }
                guard !status.paused, status.rate > 0 else {
                    next = now
                    try? await Task.sleep(for: .milliseconds(50))
                    continue
                }
                // Send every arrival that is due; sleep only when ahead of schedule.
                var batch = 0
                while next <= now, batch < 1000 {
                    let draw = catalog.draw(hardShare: hardShare, using: &random)
                    let tenant = tenants[Self.pick(tenantWeights, random.unit())]
                    let request = ChatRequest(
                        model: ChatRequest.automaticModel,
                        messages: [ChatMessage(role: .user, content: draw.prompt)],
                        tenant: tenant,
                        options: RequestOptions(origin: .traffic)
                    )
                    group.addTask { _ = try? await self.engine.completeWithinLimits(request) }
                    next += .seconds(random.exponential(rate: status.rate))
                    batch += 1
                }
                if batch > 0 {
                    sent += batch
                    control.countSent(batch)
                }
                var wake = next
                if let end { wake = min(wake, end) }
                // Re-read the rate at least every 100 ms so operator changes apply promptly.
                wake = min(wake, clock.now + .milliseconds(100))
                if wake > clock.now { try? await Task.sleep(until: wake, clock: clock) }
            }
        }
        return sent
    }

    /// Skewed tenant shares (1, 1/2, 1/3, …), normalised, as a cumulative table.
    private static func tenantWeights(count: Int) -> [Double] {
        var total = 0.0
        return (1...max(count, 1)).map { rank in
            total += 1 / Double(rank)
            return total
        }
    }

    private static func pick(_ cumulative: [Double], _ draw: Double) -> Int {
        let target = draw * cumulative[cumulative.count - 1]
        return cumulative.firstIndex { $0 >= target } ?? cumulative.count - 1
    }
}
