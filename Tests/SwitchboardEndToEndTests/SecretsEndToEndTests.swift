import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The real `switchboard serve` with a provider key, gateway keys and an admin token: after
/// answers, refusals, an upstream that rejects the key, admin calls and a saved cache file, no
/// secret appears in any response, log line or file it wrote.
@Suite("Secrets never leave switchboard serve", .serialized, .timeLimit(.minutes(3)))
struct SecretsEndToEndTests {
    static let providerKey = "sk-e2e-PROVIDER-SECRET-0451"
    static let gatewayKey = "gw-e2e-GATEWAY-SECRET-7782"
    static let adminToken = "adm-e2e-ADMIN-SECRET-3310"
    static let wrongKey = "gw-e2e-WRONG-PRESENTED-9913"
    static let upstreamKey = "up-e2e-UPSTREAM-SECRET-1204"

    /// The upstream: another switchboard whose gateway wants a key we do not have, so it answers
    /// our provider key with 401.
    static let upstreamConfiguration = "providers:\n  - name: sim\ntiers:\n  - name: t\n    chain: [sim]\ngateway:\n  api_keys:\n    - {key_env: E2E_UPSTREAM_KEY, tenant: up}\n"

    /// The switchboard under test: a keyed provider in front of `upstream`, gateway keys and an admin token.
    static func frontConfiguration(upstream: String) -> String {
        """
        providers:
          - name: remote
            kind: openai-compatible
            base_url: \(upstream)/v1
            api_key_env: E2E_PROVIDER_KEY
            model: t
            timeout_ms: 5000
          - name: local
            simulation: {ttft_ms: 1, per_token_ms: 0, answer_tokens: 6}
        tiers:
          - name: main
            chain: [remote, local]
        models:
          - name: remote-only
            chain: [remote]
        gateway:
          api_keys:
            - {key_env: E2E_GATEWAY_KEY, tenant: acme}
          admin_token_env: E2E_ADMIN_TOKEN
        """
    }

    @Test func noSecretInResponsesLogsMetricsOrTheCacheFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let upstreamConfig = directory.appendingPathComponent("upstream.yaml")
        try Self.upstreamConfiguration.write(to: upstreamConfig, atomically: true, encoding: .utf8)
        let upstream = try await RunningSwitchboard(["serve", "--config", upstreamConfig.path, "--listen", "127.0.0.1:0", "--log-level", "debug"], environment: ["E2E_UPSTREAM_KEY": Self.upstreamKey], directory: directory, name: "upstream")

        let config = directory.appendingPathComponent("front.yaml")
        try Self.frontConfiguration(upstream: upstream.baseURL).write(to: config, atomically: true, encoding: .utf8)
        let cacheFile = directory.appendingPathComponent("cache.json")
        let front = try await RunningSwitchboard(
            ["serve", "--config", config.path, "--listen", "127.0.0.1:0", "--log-level", "debug", "--cache-file", cacheFile.path],
            environment: ["E2E_PROVIDER_KEY": Self.providerKey, "E2E_GATEWAY_KEY": Self.gatewayKey, "E2E_ADMIN_TOKEN": Self.adminToken],
            directory: directory, name: "front")

        let user = ["authorization": "Bearer \(Self.gatewayKey)"]
        let admin = ["authorization": "Bearer \(Self.adminToken)"]
        let chat = #"{"model":"auto","messages":[{"role":"user","content":"what is a secret handshake"}]}"#
        var responses: [(status: Int, text: String)] = []
        do {
            responses.append(try await front.send("POST", "/v1/chat/completions", body: chat, headers: user))
            responses.append(try await front.send("POST", "/v1/chat/completions", body: chat, headers: user))
            responses.append(try await front.send("POST", "/v1/chat/completions", body: #"{"model":"auto","stream":true,"messages":[{"role":"user","content":"stream me"}]}"#, headers: user))
            responses.append(try await front.send("POST", "/v1/chat/completions", body: #"{"model":"remote-only","messages":[{"role":"user","content":"only the remote"}]}"#, headers: user))
            responses.append(try await front.send("POST", "/v1/chat/completions", body: chat, headers: ["authorization": "Bearer \(Self.wrongKey)"]))
            responses.append(try await front.send("POST", "/v1/chat/completions", body: chat))
            responses.append(try await front.send("POST", "/v1/chat/completions", body: "{\"model\": ", headers: user))
            responses.append(try await front.send("GET", "/admin/providers", headers: user))
            responses.append(try await front.send("GET", "/admin/providers", headers: admin))
            responses.append(try await front.send("POST", "/admin/cache/invalidate", body: #"{"tenant":"nobody"}"#, headers: admin))
            responses.append(try await front.send("POST", "/admin/providers/remote/down", headers: ["authorization": "Bearer \(Self.gatewayKey)"]))
            responses.append(try await front.send("GET", "/metrics"))
            responses.append(try await front.send("GET", "/readyz"))
        } catch {
            _ = await front.stop()
            _ = await upstream.stop()
            throw error
        }
        let frontStatus = await front.stop()
        _ = await upstream.stop()

        // The run did what it should, or the search below proves nothing.
        #expect(responses.map(\.status) == [200, 200, 200, 502, 401, 401, 400, 401, 200, 200, 401, 200, 200], "\(responses.map(\.status))")
        #expect(responses[1].text.contains("hit-exact"), "the second request should be a cache hit")
        #expect(responses[3].text.contains("remote#1 provider_rejected"), "the remote provider should have refused the key: \(responses[3].text)")
        #expect(upstream.output.contains("invalid_api_key"), "the upstream never saw our provider key")
        #expect(frontStatus == 0, "serve exited with \(frontStatus): \(front.output.suffix(500))")
        #expect(front.output.contains("POST /v1/chat/completions"), "no request log lines")
        // The cache file is binary with UTF-8 strings inside: search its bytes as text.
        let cache = String(decoding: try Data(contentsOf: cacheFile), as: UTF8.self)
        #expect(cache.contains("secret handshake"), "the cache file was not written")

        var places: [(String, String)] = responses.enumerated().map { ("response \($0.offset)", $0.element.text) }
        for file in try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil) where file.pathExtension != "yaml" {
            places.append((file.lastPathComponent, String(decoding: try Data(contentsOf: file), as: UTF8.self)))
        }
        #expect(places.count >= 18)
        for (place, text) in places {
            for secret in [Self.providerKey, Self.gatewayKey, Self.adminToken, Self.wrongKey, Self.upstreamKey] {
                #expect(!text.contains(secret), "\(place) contains \(secret)")
            }
        }
    }

    @Test(.enabled(if: Tmux.isInstalled, "tmux is not installed; install it (apt-get install tmux) to search the dashboard's screen"))
    func noSecretOnTheDashboardsScreen() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstreamConfig = directory.appendingPathComponent("upstream.yaml")
        try Self.upstreamConfiguration.write(to: upstreamConfig, atomically: true, encoding: .utf8)
        let upstream = try await RunningSwitchboard(["serve", "--config", upstreamConfig.path, "--listen", "127.0.0.1:0"], environment: ["E2E_UPSTREAM_KEY": Self.upstreamKey], directory: directory, name: "upstream")
        defer { if upstream.process.isRunning { upstream.process.terminate() } }
        let config = directory.appendingPathComponent("dashboard.yaml")
        try Self.frontConfiguration(upstream: upstream.baseURL).write(to: config, atomically: true, encoding: .utf8)

        let tmux = Tmux()
        defer { tmux.killServer() }
        let environment = "E2E_PROVIDER_KEY='\(Self.providerKey)' E2E_GATEWAY_KEY='\(Self.gatewayKey)' E2E_ADMIN_TOKEN='\(Self.adminToken)'"
        let command = "\(environment) LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '\(SwitchboardBinary.url.path)' --config '\(config.path)' --rps 5 --listen 127.0.0.1:0"
        try tmux.run(["new-session", "-d", "-x", "160", "-y", "48", "-s", "dash", "sh", "-c", command])
        var screens: [String] = []
        let start = try await tmux.waitFor("the dashboard with its gateway", timeout: .seconds(30)) { $0.contains("─ Providers ") && $0.contains("gateway 127.0.0.1:") }
        screens.append(start)

        // Requests through the dashboard's gateway with the key, a wrong key and the admin token.
        let port = start.components(separatedBy: "gateway 127.0.0.1:").dropFirst().first.map { String($0.prefix { $0.isNumber }) } ?? ""
        let gateway = "http://127.0.0.1:\(port)"
        for (path, authorization) in [("/v1/chat/completions", Self.gatewayKey), ("/v1/chat/completions", Self.wrongKey), ("/admin/providers", Self.adminToken)] {
            var request = URLRequest(url: URL(string: gateway + path)!)
            request.httpMethod = path.hasPrefix("/v1") ? "POST" : "GET"
            request.setValue("Bearer \(authorization)", forHTTPHeaderField: "authorization")
            if path.hasPrefix("/v1") { request.httpBody = Data(#"{"model":"remote-only","messages":[{"role":"user","content":"through the dashboard gateway"}]}"#.utf8) }
            _ = try? await URLSession.shared.data(for: request)
        }
        // A console prompt that only the provider refusing our key can answer.
        try tmux.sendKeys(["/"])
        try tmux.sendKeys(["-l", "model:remote-only tell me the provider key"])
        try tmux.sendKeys(["Enter"])
        screens.append(try await tmux.waitFor("the console's refusal", timeout: .seconds(30)) { $0.contains("remote#1 provider_rejected") || $0.contains("every provider") })
        try tmux.sendKeys(["Escape"])
        try await Task.sleep(for: .seconds(2))
        screens.append(try tmux.capture())
        try tmux.sendKeys(["?"])
        screens.append(try await tmux.waitFor("the help overlay", timeout: .seconds(10)) { $0.lowercased().contains("help") })

        #expect(screens.joined().contains("remote"), "the screens show nothing of the provider")
        for (index, screen) in screens.enumerated() {
            for secret in [Self.providerKey, Self.gatewayKey, Self.adminToken, Self.wrongKey, Self.upstreamKey] {
                #expect(!screen.contains(secret), "screen \(index) shows \(secret):\n\(screen)")
            }
        }
    }

    @Test func aPublicAddressWithoutKeysIsRefusedUnlessAllowed() async throws {
        let refused = try await SwitchboardBinary.run(["serve", "--listen", "0.0.0.0:0"], timeout: .seconds(30))
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("refusing to listen on 0.0.0.0:0 without API keys") && refused.standardError.contains("--allow-unauthenticated"), "\(refused.standardError)")
    }
}
