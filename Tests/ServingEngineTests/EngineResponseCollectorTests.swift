import Foundation
@testable import ServingEngine
import Testing

/// How `complete` builds its response without a stream: its source from `.answering`, the whole
/// answer at the finish (the pieces before it are not gathered again), settled by the first finish
/// or failure, and a run that ends with neither is a cancellation.
@Suite("Engine response collector")
struct EngineResponseCollectorTests {
    func record(id: UInt64) -> DecisionRecord {
        DecisionRecord(
            id: id, receivedAt: Date(timeIntervalSince1970: 0), tenant: "acme", origin: .api, promptExcerpt: "hi",
            cache: .miss(bestSimilarity: nil), route: RouteDecision(score: 0, reasons: [], tier: "small", method: .scored),
            attempts: [], provider: "a", status: .ok, usage: TokenUsage(), costUSD: 0, frontierCostUSD: 0,
            latency: .milliseconds(1), timeToFirstToken: nil
        )
    }

    @Test func theSourceAndTheWholeAnswerBecomeOneResponseAndWhatFollowsTheFinishIsIgnored() throws {
        let collector = EngineResponseCollector(requestIDPrefix: "x")
        let sink = EngineEventSink.collecting(into: collector)
        let source = AnswerSource(requestID: "chatcmpl-up", model: "small-model", provider: "a", cache: .miss(bestSimilarity: nil), route: record(id: 1).route, attempts: [])
        #expect(!sink.wantsPieces)
        sink.yield(.answering(source))
        sink.yield(.responseFields(["system_fingerprint": .string("fp")]))
        sink.yield(.text("Hello"))
        sink.yield(.text(", world"))
        var whole = AnswerAccumulator()
        whole.add(text: "Hello, world")
        sink.finish(.stop, whole.choices(finish: .stop), responseFields: ["system_fingerprint": .string("fp")], usage: TokenUsage(promptTokens: 3, completionTokens: 2), record: record(id: 7))
        sink.yield(.text(" and more"))
        sink.finish(.stop, [], responseFields: [:], usage: TokenUsage(), record: record(id: 8))
        sink.finish(throwing: EngineError(.cancelled, "too late"))

        let response = try collector.response()
        #expect(response.id == "chatcmpl-up")
        #expect(response.model == "small-model")
        #expect(response.text == "Hello, world")
        #expect(response.finishReason == .stop)
        #expect(response.usage.completionTokens == 2)
        #expect(response.responseFields["system_fingerprint"] == .string("fp"))
        #expect(response.decision.id == 7)
    }

    @Test func aResponseWithNoSourceIsNamedAfterItsDecision() throws {
        let collector = EngineResponseCollector(requestIDPrefix: "abc")
        collector.finish([], responseFields: [:], usage: TokenUsage(), record: record(id: 42))
        #expect(try collector.response().id == "chatcmpl-abc42")
    }

    @Test func aFailureIsThrownAsItCame() {
        let collector = EngineResponseCollector(requestIDPrefix: "x")
        let sink = EngineEventSink.collecting(into: collector)
        sink.yield(.text("partial"))
        sink.finish(throwing: EngineError(.interrupted, "the answer broke off"))
        #expect(throws: EngineError.self) { try collector.response() }
        do {
            _ = try collector.response()
        } catch {
            #expect(error.code == .interrupted)
            #expect(error.message == "the answer broke off")
        }
    }

    @Test func aRunThatEndedWithNeitherIsACancellation() {
        let collector = EngineResponseCollector(requestIDPrefix: "x")
        collector.add(.text("partial"))
        do {
            _ = try collector.response()
            Issue.record("a response without its finish was returned")
        } catch {
            #expect(error.code == .cancelled)
        }
    }
}
