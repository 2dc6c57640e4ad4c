import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `switchboard console --connect` on a running `switchboard serve` with traffic, under tmux:
/// the header names the server, forcing a provider down moves that server's traffic (checked
/// through its admin API), the inspector opens on a row and names the attempts, a filter hides
/// the other rows, a server restart shows as reconnecting then live, and a wrong admin token is a
/// clear message.
@Suite("switchboard console attached to serve, end to end", .serialized)
struct AttachedConsoleEndToEndTests {
    static let adminToken = "adm-e2e-console-7781"

    static let configuration = """
        providers:
          - name: primary
            simulation: {ttft_ms: 5, per_token_ms: 1, answer_tokens: 8}
          - name: backup
            simulation: {ttft_ms: 5, per_token_ms: 1, answer_tokens: 8}
        tiers:
          - name: main
            chain: [primary, backup]
        gateway:
          admin_token_env: E2E_ADMIN_TOKEN
        """

    /// Sends a distinct prompt every 100 ms until cancelled (distinct, so the cache never answers).
    static func traffic(to server: String) -> Task<Void, Never> {
        Task {
            var number = 0
            while !Task.isCancelled {
                number += 1
                var request = URLRequest(url: URL(string: server + "/v1/chat/completions")!)
                request.httpMethod = "POST"
                request.timeoutInterval = 5
                request.setValue("application/json", forHTTPHeaderField: "content-type")
                request.httpBody = Data(#"{"model":"auto","messages":[{"role":"user","content":"traffic request number \#(number) about queue \#(number * 7)"}]}"#.utf8)
                _ = try? await URLSession.shared.data(for: request)
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test(.enabled(if: Tmux.isInstalled, "tmux is not installed; install it (apt-get install tmux) to run the console end-to-end test"))
    func anAttachedConsoleWatchesAndCommandsAServer() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("serve.yaml")
        try Self.configuration.write(to: config, atomically: true, encoding: .utf8)
        let environment = ["E2E_ADMIN_TOKEN": Self.adminToken]
        var server = try await RunningSwitchboard(["serve", "--config", config.path, "--listen", "127.0.0.1:0"], environment: environment, directory: directory, name: "serve1")
        let baseURL = server.baseURL
        var traffic = Self.traffic(to: baseURL)
        defer { traffic.cancel() }

        // A wrong token is one clear line and a failing exit, before the console takes the terminal.
        let refused = try await SwitchboardBinary.run(["console", "--connect", baseURL, "--admin-token-env", "E2E_WRONG"], timeout: .seconds(30), environment: ["E2E_WRONG": "not-the-token"])
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("refused the console (HTTP 401)"), "stderr: \(refused.standardError)")
        #expect(refused.standardError.contains("--admin-token-env"))
        #expect(!refused.standardError.contains("USAGE"), "a failing command prints its error without the usage text")

        let tmux = Tmux()
        defer { tmux.killServer() }
        let exitFile = directory.appendingPathComponent("console.exit")
        let binary = SwitchboardBinary.url.path
        let command = "cd '\(directory.path)' && E2E_ADMIN_TOKEN='\(Self.adminToken)' LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '\(binary)' console --connect '\(baseURL)' --admin-token-env E2E_ADMIN_TOKEN; echo EXIT=$? > '\(exitFile.path)'"
        try tmux.run(["new-session", "-d", "-x", "160", "-y", "48", "-s", "dash", "sh", "-c", command])

        // The header says what the console is attached to; the server's providers and traffic show.
        let hostPort = String(baseURL.dropFirst("http://".count))
        try await tmux.waitFor("the attached header and the server's traffic", timeout: .seconds(30)) { screen in
            screen.contains("attached \(baseURL)") && screen.contains("live") && screen.contains("primary") && screen.contains("backup") && screen.contains(" main ")
        }

        // Force primary down in the console: the server's admin API says so and its traffic moves to backup.
        try tmux.sendKeys(["1"])
        try tmux.sendKeys(["f"])
        try await tmux.waitFor("primary shown forced down", timeout: .seconds(10)) { screen in
            screen.split(separator: "\n").contains { $0.contains("primary") && $0.contains("forced down") }
        }
        let providers = try await server.send("GET", "/admin/providers", headers: ["authorization": "Bearer \(Self.adminToken)"])
        #expect(providers.status == 200)
        #expect(providers.text.contains(#""override":"forced-down""#) || providers.text.contains(#""override" : "forced-down""#), "the server's own admin API shows the override: \(providers.text)")
        try await tmux.waitFor("the server's requests answered by backup after skipping primary", timeout: .seconds(20)) { screen in
            screen.split(separator: "\n").contains { $0.contains("⊘") && $0.contains("backup") && $0.contains("fallbk") }
        }

        // Routes: filter to the fallbacks, then inspect the top row.
        try tmux.sendKeys(["Tab"])
        try tmux.sendKeys(["\\"])
        try tmux.sendKeys(["-l", "status:fallback"])
        try tmux.sendKeys(["Enter"])
        let filtered = try await tmux.waitFor("the filter in the Routes title", timeout: .seconds(10)) { $0.contains("Routes · filter status:fallback") }
        let rows = filtered.split(separator: "\n").filter { $0.contains(" main ") && $0.contains(" miss ") }
        #expect(!rows.isEmpty)
        #expect(rows.allSatisfy { $0.contains("fallbk") }, "the filter hides the other rows:\n\(rows.joined(separator: "\n"))")
        try tmux.sendKeys(["Z"])
        try await tmux.waitFor("the frozen badge", timeout: .seconds(5)) { $0.contains("FROZEN") }
        try tmux.sendKeys(["Enter"])
        let inspector = try await tmux.waitFor("the inspector naming the attempts", timeout: .seconds(10)) { screen in
            screen.contains("Inspector: request #") && screen.contains("primary#1") && screen.contains("skipped: forced down") && screen.contains("backup#1") && screen.contains("breaker closed")
        }
        #expect(inspector.contains("Cascade · 2 attempts"))
        #expect(inspector.contains("traffic request number"), "the whole prompt is shown")
        try tmux.sendKeys(["w"])
        try await tmux.waitFor("where the record was written", timeout: .seconds(10)) { $0.contains("wrote \(directory.path)") || $0.contains("wrote /") }
        let written = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("switchboard-request-") && $0.hasSuffix(".json") }
        #expect(written.count == 1, "one record file in \(directory.path): \(written)")
        try tmux.sendKeys(["Escape"])
        try await tmux.waitFor("the inspector closed", timeout: .seconds(5)) { !$0.contains("Inspector: request #") }

        // The server restarts: the console says it is reconnecting, then live again; the input line survives.
        try tmux.sendKeys(["/"])
        try tmux.sendKeys(["-l", "half typed"])
        traffic.cancel()
        _ = await server.stop()
        try await tmux.waitFor("reconnecting in the header", timeout: .seconds(15)) { $0.contains("reconnecting") }
        server = try await RunningSwitchboard(["serve", "--config", config.path, "--listen", hostPort], environment: environment, directory: directory, name: "serve2")
        traffic = Self.traffic(to: server.baseURL)
        try await tmux.waitFor("live again after the restart", timeout: .seconds(30)) { $0.contains("live (reconnected") }
        #expect(try tmux.capture().contains("› half typed") || (try tmux.capture()).contains("half typed"), "the operator's input line survives the reconnect")

        try tmux.sendKeys(["Escape"])
        try tmux.sendKeys(["q"])
        let deadline = ContinuousClock.now + .seconds(15)
        var status: String?
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: exitFile, encoding: .utf8), text.hasPrefix("EXIT=") {
                status = text.trimmingCharacters(in: .whitespacesAndNewlines)
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == "EXIT=0", "the console did not exit cleanly after q; last screen:\n\((try? tmux.capture()) ?? "")")
        traffic.cancel()
        _ = await server.stop()
    }
}
