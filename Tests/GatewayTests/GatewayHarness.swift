import AsyncHTTPClient
import Foundation
import Gateway
import Logging
import NIOCore
import ServiceLifecycle
import ServingEngine
import TestSupport

/// A gateway on an ephemeral loopback port in front of a ``ScriptedUpstream``, with a client.
struct GatewayHarness {
    let upstream: ScriptedUpstream
    let gateway: GatewayServer
    let engine: ServingEngine
    let baseURL: String
    let client: HTTPClient

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
        var errorMessage: String { error["message"] as? String ?? "" }
        var content: String {
            let choices = json["choices"] as? [[String: Any]]
            return (choices?.first?["message"] as? [String: Any])?["content"] as? String ?? ""
        }
        /// The `data:` payloads of a server-sent event stream.
        var events: [String] {
            body.components(separatedBy: "\n\n").compactMap { block in
                block.split(separator: "\n").first { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
            }
        }
        /// The text of a streamed answer.
        var streamedText: String {
            events.compactMap { event -> String? in
                guard let object = (try? JSONSerialization.jsonObject(with: Data(event.utf8))) as? [String: Any], let choices = object["choices"] as? [[String: Any]] else { return nil }
                return (choices.first?["delta"] as? [String: Any])?["content"] as? String
            }.joined()
        }
    }

    /// A configuration over the fake: tier `main` = [primary, secondary]; model `claude-only` =
    /// [claude]; `strict-only` = [strict], which drops unknown fields and can only do tools;
    /// `vision-first` = [strict, primary]; `plain-only` = [plain], called without a stream when the
    /// client asks for none.
    static func configuration(_ upstream: ScriptedUpstream, timeoutMs: Int = 500, deadlineMs: Int = 3000, cache: Bool = true, healthCheck: Bool = false, priced: Set<String> = []) -> String {
        // Providers have no price unless named in `priced` ($1000 per million tokens both ways).
        func price(_ name: String) -> String { priced.contains(name) ? "\n    price: { input_per_mtok: 1000, output_per_mtok: 1000 }" : "" }
        return """
        providers:
          - name: primary\(price("primary"))
            kind: openai-compatible
            base_url: \(upstream.baseURL("primary"))
            api_key_env: PRIMARY_KEY
            model: fake-a
            timeout_ms: \(timeoutMs)\(healthCheck ? "\n    health_check: {interval_ms: 100, timeout_ms: 500}" : "")
          - name: secondary\(price("secondary"))
            kind: openai-compatible
            base_url: \(upstream.baseURL("secondary"))
            model: fake-b
            timeout_ms: \(timeoutMs)
          - name: claude\(price("claude"))
            kind: anthropic
            base_url: \(upstream.baseURL("claude"))
            api_key_env: CLAUDE_KEY
            model: claude-fake
            timeout_ms: \(timeoutMs)
          - name: strict\(price("strict"))
            kind: openai-compatible
            base_url: \(upstream.baseURL("strict"))
            model: fake-strict
            drop_unknown_fields: true
            capabilities: [tools]
            timeout_ms: \(timeoutMs)
          - name: plain\(price("plain"))
            kind: openai-compatible
            base_url: \(upstream.baseURL("plain"))
            model: fake-plain
            stream_upstream: when_client_streams
            timeout_ms: \(timeoutMs)
        tiers:
          - name: main
            chain: [primary, secondary]
        models:
          - name: claude-only
            chain: [claude]
          - name: strict-only
            chain: [strict]
          - name: vision-first
            chain: [strict, primary]
          - name: plain-only
            chain: [plain]
        cache:
          enabled: \(cache)
        resilience:
          deadline_ms: \(deadlineMs)
          retry: {max_attempts: 2, base_backoff_ms: 1, max_backoff_ms: 5, jitter: 0, max_retry_after_ms: 2000}
          breaker: {failure_threshold: 1000}
        """
    }

    static let secrets = ["PRIMARY_KEY": "sk-primary-SECRET-123", "CLAUDE_KEY": "sk-ant-SECRET-456"]

    /// Runs `body` against a fresh upstream and gateway; everything stops afterwards, and every
    /// wait is bounded. The provider timeout and the deadline are generous by default, so that a
    /// loaded machine (suites run in parallel on two cores) cannot turn an answer into a timeout;
    /// tests about timeouts pass their own.
    static func run(
        settings: GatewaySettings = GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0)),
        timeoutMs: Int = 3000, deadlineMs: Int = 10_000, cache: Bool = true, healthCheck: Bool = false,
        similarityThreshold: Double? = nil, maxUpstreamResponseBytes: Int = GatewayConfiguration().maxUpstreamResponseBytes, logger: Logger? = nil, priced: Set<String> = [],
        _ body: @escaping @Sendable (GatewayHarness) async throws -> Void
    ) async throws {
        let upstream = ScriptedUpstream()
        let quiet = logger ?? {
            var quiet = Logger(label: "gateway-test")
            quiet.logLevel = .critical
            return quiet
        }()
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let upstreamGroup = ServiceGroup(configuration: stoppable(ScriptedUpstream.Serving(upstream: upstream) { portContinuation.yield($0) }, logger: quiet))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await upstreamGroup.run() }
            _ = try await bounded(.seconds(10)) { await ports.first { _ in true } }
            var configuration = try ConfigurationLoader.parse(configuration(upstream, timeoutMs: timeoutMs, deadlineMs: deadlineMs, cache: cache, healthCheck: healthCheck, priced: priced), source: "test.yaml")
            if let similarityThreshold {
                // A fixed cut-off, so that a test can make paraphrases hit on purpose.
                configuration.cacheDecision = CacheDecisionConfiguration(kind: .threshold, similarityThreshold: similarityThreshold)
            }
            let remote = RemoteProviders(source: configuration.source, environment: secrets, connectTimeout: .seconds(1), readTimeout: .seconds(5), maxResponseBytes: maxUpstreamResponseBytes)
            let engine = try ServingEngine(configuration: configuration, registry: remote.registry)
            let gateway = GatewayServer(engine: engine, settings: settings, logger: quiet, remoteProviders: healthCheck ? remote : nil)
            let gatewayGroup = ServiceGroup(configuration: stoppable(gateway, logger: quiet))
            group.addTask { try await gatewayGroup.run() }
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            // Servers stop gracefully, never by cancellation: a server task cancelled while it has
            // accepted a connection it has not served yet traps in NIO ("Deinited NIOAsyncWriter
            // without calling finish()", swift-nio#2637), and a test that ends while the engine
            // still talks to the fake upstream makes that likely.
            @Sendable func stop() async {
                await gatewayGroup.triggerGracefulShutdown()
                try? await client.shutdown()
                await upstreamGroup.triggerGracefulShutdown()
                try? await remote.shutdown()
            }
            do {
                let address = try await bounded(.seconds(10)) { try await gateway.listeningAddress() }
                let harness = GatewayHarness(upstream: upstream, gateway: gateway, engine: engine, baseURL: address.url, client: client)
                try await bounded(.seconds(30)) { try await body(harness) }
            } catch {
                await stop()
                throw error
            }
            await stop()
        }
    }

    /// A service group for one server that stops gracefully within a few seconds.
    private static func stoppable(_ service: any Service, logger: Logger) -> ServiceGroupConfiguration {
        var configuration = ServiceGroupConfiguration(services: [service], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(5)
        configuration.maximumCancellationDuration = .seconds(5)
        return configuration
    }

    func post(_ body: String, headers: [(String, String)] = []) async throws -> Reply {
        try await post("/v1/chat/completions", body, headers: headers)
    }

    func post(_ path: String, _ body: String, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request)
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest) async throws -> Reply {
        let response = try await client.execute(request, timeout: .seconds(15))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: headers, body: String(buffer: bytes))
    }

    /// A chat request body with one user message.
    static func chat(_ prompt: String, model: String = "auto", stream: Bool = false, extra: String = "") -> String {
        let escaped = String(decoding: try! JSONSerialization.data(withJSONObject: prompt, options: [.fragmentsAllowed]), as: UTF8.self)
        return #"{"model":"\#(model)","stream":\#(stream),"messages":[{"role":"user","content":\#(escaped)}]\#(extra)}"#
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var description: String { "the operation did not finish in time" }
}

/// Runs `operation`, failing with ``TimedOut`` after `limit`.
func bounded<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut() }
        return value
    }
}
