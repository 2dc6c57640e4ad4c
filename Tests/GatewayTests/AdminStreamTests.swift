import Foundation
@testable import Gateway
import ServingEngine
import Testing

/// The console feed (`/admin/stream`), console prompts (`/admin/console/chat`) and the attached
/// console's engine view that uses them.
@Suite("Admin stream and attached console")
struct AdminStreamTests {
    static let keyed = GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0), apiKeys: ["key-acme": "acme"], adminToken: "admin-secret")

    static func decision(_ id: UInt64) -> ActivityEntry {
        .decision(DecisionRecord(id: id, receivedAt: Date(timeIntervalSince1970: Double(id)), tenant: "acme", origin: .api, promptExcerpt: "p\(id)", cache: .miss(bestSimilarity: nil), route: RouteDecision(score: 0, reasons: [], tier: "small", method: .scored), attempts: [], provider: "a", status: .ok, usage: TokenUsage(), costUSD: 0, frontierCostUSD: 0, latency: .milliseconds(1), timeToFirstToken: nil))
    }

    static func snapshot(_ ids: [UInt64], events: [String] = [], requests: Int) -> EngineSnapshot {
        var snapshot = EngineSnapshot.empty(source: "test")
        snapshot.activity = events.map { .event(EngineEvent(time: Date(timeIntervalSince1970: 5), kind: .operator, message: $0)) } + ids.map(decision)
        snapshot.totals.requests = requests
        return snapshot
    }

    @Test func eachFrameCarriesOnlyNewEntriesAndTheExactCount() {
        var cursor = ConsoleFeedCursor(sampleSize: 3, backlogSize: 10)
        let first = cursor.frame(from: Self.snapshot([2, 1], requests: 2), server: "s")
        #expect(first.activity.count == 2)
        #expect(first.snapshot.activity.isEmpty, "the log travels beside the snapshot, not inside it")
        // A request that arrived earlier but finished later (lower id) still counts as new.
        let second = cursor.frame(from: Self.snapshot([4, 0, 3, 2, 1], requests: 5), server: "s")
        #expect(second.activity.count == 3)
        #expect(second.newDecisions == 3)
        #expect(second.sentDecisions == 3)
        let quiet = cursor.frame(from: Self.snapshot([4, 0, 3, 2, 1], requests: 5), server: "s")
        #expect(quiet.activity.isEmpty && quiet.newDecisions == 0)
    }

    @Test func aBurstIsSampledWithEveryEventKeptAndTheTrueCountBeside() {
        var cursor = ConsoleFeedCursor(sampleSize: 5, backlogSize: 5)
        _ = cursor.frame(from: Self.snapshot([], requests: 0), server: "s")
        let burst = cursor.frame(from: Self.snapshot(Array((1...100).reversed()), events: ["gpt-cloud forced down by operator"], requests: 1_000), server: "s")
        #expect(burst.activity.count == 5)
        #expect(burst.activity.contains { if case .event = $0 { true } else { false } }, "events are never sampled out")
        #expect(burst.newDecisions == 1_000, "the count is the server's, not the sample's")
        #expect(burst.sentDecisions == 4)
    }

    @Test func theFeedAndConsolePromptsNeedTheAdminToken() async throws {
        try await GatewayHarness.run(settings: Self.keyed) { h in
            #expect(try await h.get("/admin/stream").status == 401)
            #expect(try await h.get("/admin/stream", headers: [("authorization", "Bearer key-acme")]).status == 401, "a tenant's API key is not the admin token")
            #expect(try await h.post("/admin/console/chat", #"{"prompt":"hi","tenant":"acme"}"#).status == 401)
            let wrong = try AttachedEngine(url: h.baseURL, adminToken: "guess")
            do {
                try await wrong.checkAccess()
                Issue.record("a wrong token must be refused")
            } catch {
                #expect(String(describing: error).contains("refused the console (HTTP 401)"))
                #expect(String(describing: error).contains("--admin-token-env"))
            }
            await wrong.stop()
        }
    }

    @Test func anAttachedEngineSeesTheServerAndCommandsIt() async throws {
        try await GatewayHarness.run(settings: Self.keyed) { h in
            let attached = try AttachedEngine(url: h.baseURL + "/", adminToken: "admin-secret", framesPerSecond: 20)
            try await attached.checkAccess()
            attached.start()
            _ = try await h.post(GatewayHarness.chat("what does the feed carry"), headers: [("authorization", "Bearer key-acme")])
            try await eventually("the decision reaches the attached console") {
                attached.snapshot(activityLimit: 50).activity.contains { if case .decision(let record) = $0 { record.promptExcerpt == "what does the feed carry" } else { false } }
            }
            #expect(attached.link.state == .live)
            #expect(attached.snapshot(activityLimit: 10).providers.map(\.name) == h.engine.snapshot().providers.map(\.name))

            let provider = h.engine.snapshot().providers[0].name
            #expect(try attached.perform(.setOverride(provider: provider, .forcedDown)).hasPrefix("sent to"))
            try await eventually("the server applies the override") {
                h.engine.snapshot().providers[0].override == .forcedDown
            }
            #expect(throws: CommandError.self) { try attached.perform(.setTrafficRate(5)) }

            var answer = ""
            var decision: DecisionRecord?
            for try await event in attached.stream(ChatRequest(prompt: "hello from the console", tenant: "acme")) {
                switch event {
                case .text(let chunk): answer += chunk
                case .finished(_, _, let record): decision = record
                case .answering, .delta, .responseFields: break
                }
            }
            #expect(!answer.isEmpty)
            #expect(decision?.tenant == "acme")
            #expect(decision?.origin == .console)
            #expect(decision?.evidence.prompt == "hello from the console")
            #expect(h.engine.tenants.snapshot().first { $0.name == "acme" }?.counters.admitted == 2, "the attached console's prompt counts against acme's limits")

            // A blocked tenant's prompt from the attached console is refused like any other.
            h.engine.tenants.change("acme", TenantLimitsChange(blocked: true))
            await #expect {
                for try await _ in attached.stream(ChatRequest(prompt: "hello while blocked", tenant: "acme")) {}
            } throws: { error in
                (error as? EngineError)?.message.contains("tenant 'acme' is blocked by the operator") == true
            }
            await attached.stop()
        }
    }

    @Test func anAttachedConsoleGetsItsSampleSizeWithTheExactCountBeside() async throws {
        try await GatewayHarness.run(settings: Self.keyed) { h in
            // One frame a second and two decisions a frame: ten requests finishing together
            // arrive as a sample of them, counted in full.
            let attached = try AttachedEngine(url: h.baseURL, adminToken: "admin-secret", framesPerSecond: 1, sampleSize: 2)
            try await attached.checkAccess()
            attached.start()
            try await eventually("the feed is live") { attached.link.state == .live }
            let before = attached.link
            await withTaskGroup(of: Void.self) { group in
                for n in 0..<10 {
                    group.addTask { _ = try? await h.engine.complete(ChatRequest(prompt: "sampled request \(n) of ten", tenant: "acme")) }
                }
            }
            try await eventually("all ten counted", timeout: .seconds(15)) { attached.link.decisionsSeen - before.decisionsSeen == 10 }
            let after = attached.link
            #expect(after.decisionsSeen - before.decisionsSeen == 10, "the count is exact")
            let shown = after.decisionsShown - before.decisionsShown
            #expect(shown >= 2 && shown <= 2 * (after.frames - before.frames), "at most two a frame: \(shown) shown over \(after.frames - before.frames) frames")
            #expect(shown < 10, "ten finishing within a second or two are sampled, not all carried")
            await attached.stop()
        }
    }

    func eventually(_ what: String, timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for \(what)")
    }
}
