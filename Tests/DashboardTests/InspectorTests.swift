@testable import Dashboard
import Foundation
import Testing
@testable import ServingEngine

/// The request inspector: its text from a record, its render at 80×24 and 160×48, and the JSON it writes.
@Suite struct InspectorTests {
    /// A fallback after a timeout, a retry with backoff and a skipped provider, with a refused
    /// semantic candidate and a multi-line prompt.
    static var record: DecisionRecord {
        guard case .decision(var record) = Fixtures.headActivity[4] else { fatalError("fixture #17 moved") }
        record.attempts.insert(ProviderAttempt(provider: "claude-cloud", attempt: 1, outcome: .skipped(.circuitOpen(probeIn: .seconds(4))), latency: .zero), at: 2)
        record.evidence = DecisionEvidence(
            prompt: "Prove that a copy-on-write B-tree is crash safe.\nAssume the disk reorders writes between fsync calls, and say which invariant the root pointer swap preserves. Then give a counterexample for an in-place B-tree.",
            requestedModel: "auto",
            scope: "tenant acme · model auto · no system prompt · no earlier turns · temperature 0.2",
            cacheCandidates: [CacheCandidate(prompt: "Prove a copy-on-write B-tree is crash safe", similarity: 0.912, verifierProbability: 0.41, taken: false, reason: "verifier 0.41 < 0.62 needed (cosine 0.912)")],
            routeThreshold: 0.35,
            attempts: [
                AttemptTiming(provider: "finetuned-local", attempt: 1, startOffset: .milliseconds(2), breaker: "closed"),
                AttemptTiming(provider: "finetuned-local", attempt: 2, startOffset: .milliseconds(5_040), breaker: "closed", backoff: .milliseconds(38)),
                AttemptTiming(provider: "gpt-cloud", attempt: 1, startOffset: .milliseconds(5_125), timeToFirstToken: .milliseconds(410), breaker: "half-open probe"),
            ],
            answerHead: "A copy-on-write B-tree never overwrites a live page: every update writes new pages up to a new root, and the root pointer swap is one atomic write."
        )
        return record
    }

    static func render(width: Int, height: Int) -> String {
        var state = DashboardState(width: width, height: height)
        var snapshot = Fixtures.snapshot
        snapshot.activity = [.decision(record)] + snapshot.activity
        state.update(from: snapshot)
        _ = state.handle(.tab)
        _ = state.handle(.enter)
        let frame = DashboardFrame(snapshot: snapshot, state: state, console: Fixtures.console, themeName: "default", gatewayAddress: nil, gatewayNote: "not built yet", utcOffset: 0)
        var canvas = Canvas(width: width, height: height, monochrome: true)
        DashboardRenderer.render(frame, into: &canvas)
        return canvas.text
    }

    @Test func theInspectorShowsTheWholeTrail() {
        let text = RequestInspector.lines(for: Self.record, width: 120).map(\.text).joined(separator: "\n")
        for expected in [
            "tenant      acme", "scope       tenant acme · model auto", "Assume the disk reorders writes",
            "refused  verifier 0.41 < 0.62 needed (cosine 0.912)", "≈ Prove a copy-on-write B-tree is crash safe",
            "score 0.72 > threshold 0.35 → tier frontier", "code", "+0.30", "finetuned-local#1", "timeout: no first token in 5.0 s",
            "start +2ms · ttft - · took 5.0s · breaker closed", "after backoff 38ms · start +5.0s", "claude-cloud#1", "skipped: circuit open, next probe in",
            "gpt-cloud#1", "ttft 410ms", "breaker half-open probe", "40 prompt + 70 answer = 110", "A copy-on-write B-tree never overwrites",
        ] {
            #expect(text.contains(expected), "missing: \(expected)")
        }
    }

    @Test func longLinesWrapWithinTheWidth() {
        let lines = RequestInspector.lines(for: Self.record, width: 40)
        #expect(lines.allSatisfy { Canvas.displayWidth(of: $0.text) <= 40 })
        #expect(lines.map(\.text).joined(separator: " ").contains("invariant"))
    }

    @Test(arguments: [(160, 48), (80, 24)])
    func snapshot(size: (Int, Int)) {
        assertSnapshot(Self.render(width: size.0, height: size.1), named: "inspector-\(size.0)x\(size.1)")
    }

    @Test func scrollingShowsTheRestAndStopsAtTheEnd() {
        var state = DashboardState(width: 80, height: 24)
        var snapshot = Fixtures.snapshot
        snapshot.activity = [.decision(Self.record)]
        state.update(from: snapshot)
        _ = state.handle(.tab)
        _ = state.handle(.enter)
        for _ in 0..<200 { _ = state.handle(.down) }
        let frame = DashboardFrame(snapshot: snapshot, state: state)
        var canvas = Canvas(width: 80, height: 24, monochrome: true)
        DashboardRenderer.render(frame, into: &canvas)
        #expect(canvas.text.contains("A copy-on-write B-tree never"), "the end of the record is on screen")
        #expect(canvas.text.contains("of "), "the badge says where in the record the view is")
    }

    @Test func theRecordIsWrittenAsReadableJSON() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inspector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try InspectedRecordFile.write(Self.record, into: directory)
        #expect(url.lastPathComponent == "switchboard-request-17.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        #expect(object["tenant"] as? String == "acme")
        #expect(object["status"] as? String == "fallback")
        #expect(object["route_threshold"] as? Double == 0.35)
        let attempts = try #require(object["attempts"] as? [[String: Any]])
        #expect(attempts.map { $0["provider"] as? String } == ["finetuned-local", "finetuned-local", "claude-cloud", "gpt-cloud"])
        #expect(attempts[0]["error"] as? String == "no first token in 5.0 s")
        #expect(attempts[1]["backoff_ms"] as? Double == 38)
        #expect(attempts[2]["outcome"] as? String == "skipped")
        #expect(attempts[3]["time_to_first_token_ms"] as? Double == 410)
        let candidates = try #require(object["cache_candidates"] as? [[String: Any]])
        #expect(candidates.first?["taken"] as? Bool == false)
        #expect((object["cues"] as? [[String: Any]])?.first?["feature"] as? String == "code")
    }
}
