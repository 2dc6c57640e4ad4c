import Foundation
import Testing

/// `switchboard serve` in front of `switchboard bench upstream`, each a process of its own (the
/// set-up `scripts/compare-gateways` measures), on either task executor.
@Suite("switchboard serve on either executor, end to end")
struct GatewayExecutorEndToEndTests {
    static func configuration(upstream: String) -> String {
        """
        providers:
          - name: upstream
            kind: openai-compatible
            model: instant
            base_url: \(upstream)
            price: { input_per_mtok: 0, output_per_mtok: 0 }
        tiers:
          - name: main
            chain: [upstream]
        router:
          thresholds:
            - { tier: main, up_to: 1 }
        cache:
          enabled: false
        """
    }

    @Test(arguments: ["event-loops", "pool"])
    func theGatewayAnswersAndStreamsThroughARealUpstream(executor: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-executor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await RunningSwitchboard(["bench", "upstream", "--listen", "127.0.0.1:0"], environment: [:], directory: directory, name: "upstream")
        #expect(upstream.baseURL.hasSuffix("/v1"))
        let config = directory.appendingPathComponent("gateway.yaml")
        try Self.configuration(upstream: upstream.baseURL).write(to: config, atomically: true, encoding: .utf8)
        let gateway = try await RunningSwitchboard(["serve", "--config", config.path, "--listen", "127.0.0.1:0", "--executor", executor], environment: [:], directory: directory, name: "gateway")

        var replies: [(status: Int, text: String)] = []
        do {
            for index in 0..<20 {
                replies.append(try await gateway.send("POST", "/v1/chat/completions", body: #"{"model":"auto","messages":[{"role":"user","content":"plain \#(index)"}]}"#))
            }
            replies.append(try await gateway.send("POST", "/v1/chat/completions", body: #"{"model":"auto","stream":true,"messages":[{"role":"user","content":"stream it"}]}"#))
        } catch {
            _ = await gateway.stop()
            _ = await upstream.stop()
            throw error
        }
        let status = await gateway.stop()
        _ = await upstream.stop()

        #expect(replies.map(\.status) == Array(repeating: 200, count: 21), "\(replies.map(\.status))")
        #expect(replies.dropLast().allSatisfy { $0.text.contains(#""content":"An instant answer from the local upstream.""#) }, "\(replies[0].text)")
        let streamed = replies[20].text
        #expect(streamed.contains(#""content":"An instant ""#) && streamed.contains(#""content":"upstream.""#), "\(streamed)")
        #expect(streamed.hasSuffix("data: [DONE]\n\n"), "\(streamed.suffix(200))")
        #expect(status == 0, "serve exited with \(status): \(gateway.output.suffix(500))")
        #expect(gateway.output.components(separatedBy: "POST /v1/chat/completions").count - 1 == 21, "one log line per request")
    }

    @Test func simulatedTrafficRunsOnThePoolAndRefusesTheEventLoops() async throws {
        let refused = try await SwitchboardBinary.run(["serve", "--simulate-traffic", "100", "--executor", "event-loops"])
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("--simulate-traffic runs on Swift's pool"), "\(refused.standardError)")

        // By default it runs on the pool and the server keeps answering under the generator's load.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-traffic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // 300/s: a steady load, modest enough to leave the machine to the suites running beside
        // this one (at 1,000/s beside the real model's test, the server took over 20 s to stop).
        let server = try await RunningSwitchboard(["serve", "--listen", "127.0.0.1:0", "--simulate-traffic", "300", "--log-level", "warning"], environment: [:], directory: directory, name: "traffic")
        try await Task.sleep(for: .seconds(2))
        let health = try? await server.send("GET", "/healthz")
        let status = await server.stop()
        #expect(health?.status == 200, "the server stopped answering under simulated traffic")
        #expect(status == 0, "\(server.output.suffix(300))")
    }

    @Test func anUnknownExecutorIsOneClearErrorWithoutTheUsageText() async throws {
        let output = try await SwitchboardBinary.run(["serve", "--executor", "threads"])
        #expect(output.status != 0)
        #expect(output.standardError.contains("threads"), "\(output.standardError)")
        #expect(output.standardError.contains("event-loops"), "the error names the choices: \(output.standardError)")
        #expect(!output.standardError.contains("USAGE"), "\(output.standardError)")
    }
}
