import Synchronization
import Testing
@testable import ServingEngine

/// Active health-check results are an input of their own to the health board: a failing check
/// takes a provider out of the cascade and the first passing one puts it back, without being an
/// operator override (no operator event, nothing shared with the fleet), and an operator's
/// override still wins.
@Suite("Health-check input")
struct HealthCheckInputTests {
    func engine(_ providers: [ScriptedProvider]) throws -> ServingEngine {
        let named = Dictionary(uniqueKeysWithValues: providers.map { ($0.name, $0) })
        let all = ["a", "b", "c", "z"].map { named[$0] ?? ScriptedProvider($0) }
        return try ServingEngine(configuration: testConfiguration(), providers: all)
    }

    func uncached(_ prompt: String = hardPrompt) -> ChatRequest {
        var request = ChatRequest(prompt: prompt)
        request.options.cacheLookup = false
        request.options.cacheStore = false
        return request
    }

    func events(_ engine: ServingEngine) -> [EngineEvent] {
        engine.snapshot().activity.compactMap { entry in
            if case .event(let event) = entry { event } else { nil }
        }
    }

    @Test func aFailingCheckTakesTheProviderOutUntilTheFirstPassingCheck() async throws {
        let b = ScriptedProvider("b", otherwise: .answer("from b"))
        let engine = try engine([b, ScriptedProvider("c", otherwise: .answer("from c"))])

        #expect(engine.recordHealthCheck("b", .failing("HTTP 503 from /models")))
        let during = try await engine.complete(uncached())
        #expect(during.text == "from c")
        #expect(b.callCount == 0)
        #expect(during.decision.attempts.first == ProviderAttempt(provider: "b", attempt: 1, outcome: .skipped(.healthCheckFailing), latency: .zero))
        let provider = try #require(engine.snapshot().providers.first { $0.name == "b" })
        #expect(provider.state == .healthCheckFailing)
        #expect(!provider.state.canAnswer)
        #expect(provider.override == .auto)
        #expect(provider.healthCheckFailure == "HTTP 503 from /models")

        #expect(engine.recordHealthCheck("b", .passing))
        let after = try await engine.complete(uncached())
        #expect(after.text == "from b")
        #expect(b.callCount == 1)
        let back = try #require(engine.snapshot().providers.first { $0.name == "b" })
        #expect(back.state == .healthy)
        #expect(back.healthCheckFailure == nil)
    }

    @Test func aCheckIsLoggedAsAHealthEventNotAsAnOperatorAct() throws {
        let engine = try engine([])
        #expect(engine.recordHealthCheck("b", .failing("connection refused")))
        // The same verdict again changes nothing and logs nothing more.
        #expect(!engine.recordHealthCheck("b", .failing("connection refused")))
        #expect(engine.recordHealthCheck("b", .passing))
        #expect(!engine.recordHealthCheck("b", .passing))
        let logged = events(engine)
        #expect(!logged.contains { $0.kind == .operator })
        #expect(logged.filter { $0.kind == .health }.map(\.message).sorted() == [
            "b health check failing: connection refused; out of the cascade until a check passes",
            "b health check passing again: back in the cascade",
        ])
        #expect(!engine.recordHealthCheck("nope", .failing("x")))
    }

    @Test func nothingIsPublishedToSharedState() throws {
        let engine = try engine([])
        let published = Mutex<[SharedChange]>([])
        engine.attachSharedState(replicaID: "r1") { change in published.withLock { $0.append(change) } }
        engine.recordHealthCheck("b", .failing("connection refused"))
        engine.recordHealthCheck("b", .passing)
        #expect(published.withLock { $0.isEmpty })
        #expect(engine.snapshot().providers.first { $0.name == "b" }?.overrideOrigin == nil)
        // An operator override still is.
        _ = try engine.perform(.setOverride(provider: "b", .forcedDown))
        #expect(published.withLock { $0.count } == 1)
    }

    @Test func anOperatorOverrideStillWins() async throws {
        let b = ScriptedProvider("b", otherwise: .answer("from b"))
        let engine = try engine([b, ScriptedProvider("c", otherwise: .answer("from c"))])
        engine.recordHealthCheck("b", .failing("connection refused"))

        _ = try engine.perform(.setOverride(provider: "b", .forcedUp))
        #expect(engine.snapshot().providers.first { $0.name == "b" }?.state == .forcedUp)
        #expect(try await engine.complete(uncached()).decision.provider == "b")

        _ = try engine.perform(.setOverride(provider: "b", .forcedDown))
        #expect(engine.snapshot().providers.first { $0.name == "b" }?.state == .forcedDown)
        engine.recordHealthCheck("b", .passing)
        let down = try await engine.complete(uncached())
        #expect(down.decision.provider == "c")
        #expect(down.decision.attempts.first?.outcome == .skipped(.forcedDown))

        // Back to automatic with the checks failing again: the checks keep it out.
        engine.recordHealthCheck("b", .failing("connection refused"))
        _ = try engine.perform(.setOverride(provider: "b", .auto))
        #expect(engine.snapshot().providers.first { $0.name == "b" }?.state == .healthCheckFailing)
        #expect(try await engine.complete(uncached()).decision.attempts.first?.outcome == .skipped(.healthCheckFailing))
    }

    @Test func balancingAndTheFrontierPriceLeaveAFailingProviderOut() throws {
        let board = HealthBoard(providerNames: ["b", "c"], policy: .init(failureThreshold: 100))
        _ = board.setHealthCheck("b", .failing("down"))
        #expect(board.firstAvailable(in: ["b", "c"], now: .now) == "c")
        #expect(board.order(["b", "c"], balance: .leastLoaded, weights: [:], prices: [:], now: .now) == ["c", "b"])
        _ = board.setHealthCheck("b", .passing)
        #expect(board.firstAvailable(in: ["b", "c"], now: .now) == "b")
    }
}
