import Testing
@testable import ServingEngine

@Suite("Balancing within a tier")
struct BalancingTests {
    let t0 = ContinuousClock.now

    func board() -> HealthBoard {
        HealthBoard(providerNames: ["a", "b", "c"], policy: .init(failureThreshold: 1, coolDown: .seconds(60)))
    }

    @Test func priorityKeepsTheChainOrder() {
        #expect(board().order(["a", "b", "c"], balance: .priority, weights: [:], prices: [:], now: t0) == ["a", "b", "c"])
    }

    @Test func latencyWeightedPutsTheFastCheapProviderFirst() {
        let health = board()
        for (name, latency) in [("a", 0.9), ("b", 0.1), ("c", 0.1)] {
            _ = health.admit(name, now: t0)
            _ = health.finish(name, failure: nil, cancelled: false, isProbe: false, latency: .milliseconds(Int64(latency * 1000)), now: t0)
        }
        let order = health.order(["a", "b", "c"], balance: .latencyWeighted, weights: [:], prices: ["a": 1, "b": 10, "c": 1], now: t0)
        #expect(order == ["c", "b", "a"])
        let weighted = health.order(["a", "b", "c"], balance: .latencyWeighted, weights: ["a": 100], prices: ["a": 1, "b": 10, "c": 1], now: t0)
        #expect(weighted.first == "a", "a large enough weight outranks latency")
    }

    @Test func leastLoadedPrefersTheProviderWithFewestCallsInFlight() {
        let health = board()
        _ = health.admit("a", now: t0)
        _ = health.admit("a", now: t0)
        _ = health.admit("b", now: t0)
        #expect(health.order(["a", "b", "c"], balance: .leastLoaded, weights: [:], prices: [:], now: t0) == ["c", "b", "a"])
    }

    @Test func providersThatCannotAnswerGoLastInChainOrder() {
        let health = board()
        _ = health.setOverride("b", .forcedDown)
        _ = health.admit("c", now: t0)
        _ = health.finish("c", failure: ProviderFailure(.serverError, "503"), cancelled: false, isProbe: false, now: t0)
        #expect(health.order(["b", "c", "a"], balance: .leastLoaded, weights: [:], prices: [:], now: t0) == ["a", "b", "c"])
    }

    @Test func aBalancedTierIsReadFromTheConfiguration() throws {
        let yaml = """
            providers:
              - name: a
                weight: 2
              - name: b
            tiers:
              - name: t
                chain: [a, b]
                balance: latency-weighted
            """
        let configuration = try ConfigurationLoader.parse(yaml, source: "t.yaml")
        #expect(configuration.tiers[0].balance == .latencyWeighted)
        #expect(configuration.provider(named: "a")?.weight == 2)
        #expect(throws: ConfigError.self) { try ConfigurationLoader.parse(yaml.replacingOccurrences(of: "latency-weighted", with: "fastest"), source: "t.yaml") }
    }
}
