import Foundation
import Gateway
import ServingEngine
import Testing

@Suite("Upstream failures through the gateway", .timeLimit(.minutes(2)))
struct GatewayCascadeTests {
    @Test func aRateLimitWithRetryAfterIsRetriedOnTheSameProviderAfterTheWait() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.status(429, retryAfter: "0.3"), .answer(["after the wait"])])
            let start = ContinuousClock.now
            let reply = try await h.post(GatewayHarness.chat("rate limited"))
            let elapsed = ContinuousClock.now - start
            #expect(reply.status == 200)
            #expect(reply.content == "after the wait")
            #expect(reply.headers["x-switchboard-provider"] == "primary")
            #expect(reply.headers["x-switchboard-attempts"] == "2")
            #expect(elapsed >= .milliseconds(300), "Retry-After is respected")
            #expect(h.upstream.calls("secondary").isEmpty)
        }
    }

    @Test func aServerErrorIsRetriedThenFallsToTheNextProvider() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.status(500), .status(503)])
            h.upstream.script("secondary", [.answer(["from the fallback"])])
            let reply = try await h.post(GatewayHarness.chat("server error"))
            #expect(reply.status == 200)
            #expect(reply.content == "from the fallback")
            #expect(reply.headers["x-switchboard-provider"] == "secondary")
            #expect(reply.headers["x-switchboard-attempts"] == "3")
            #expect(h.upstream.calls("primary").count == 2)
        }
    }

    @Test func aSlowUpstreamPastItsTimeoutFallsToTheNextProvider() async throws {
        // A timeout long enough for the secondary's answer on a loaded machine, far below the
        // primary's delay.
        try await GatewayHarness.run(timeoutMs: 1500) { h in
            h.upstream.script("primary", [.slow(.seconds(8), ["too late"]), .slow(.seconds(8), ["too late"])])
            h.upstream.script("secondary", [.answer(["in time"])])
            let start = ContinuousClock.now
            let reply = try await h.post(GatewayHarness.chat("slow"))
            #expect(reply.status == 200)
            #expect(reply.content == "in time")
            // Below the slow answer's 8 s: the provider was abandoned, not waited for (a tighter
            // bound fails on a loaded machine without proving more).
            #expect(ContinuousClock.now - start < .seconds(8))
        }
    }

    @Test func anUpstreamThatRejectsOurCredentialsIsSkippedWithoutRetry() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.status(401, body: #"{"error":{"message":"Incorrect API key provided: sk-primary-SECRET-123"}}"#)])
            let reply = try await h.post(GatewayHarness.chat("bad key upstream"))
            #expect(reply.status == 200)
            #expect(reply.headers["x-switchboard-provider"] == "secondary")
            #expect(h.upstream.calls("primary").count == 1)
        }
    }

    @Test func aGarbledStreamIsABadResponseAndFallsBack() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.garbled, .garbled])
            let reply = try await h.post(GatewayHarness.chat("garbled"))
            #expect(reply.status == 200)
            #expect(reply.headers["x-switchboard-provider"] == "secondary")
        }
    }

    @Test func everyProviderFailingIsA502ThatListsWhatWasTriedAndNeverLeaksKeys() async throws {
        try await GatewayHarness.run { h in
            let leaky = #"{"error":{"message":"bad key sk-primary-SECRET-123"}}"#
            h.upstream.script("primary", [.status(500, body: leaky), .status(500, body: leaky)])
            h.upstream.script("secondary", [.status(500), .status(500)])
            let reply = try await h.post(GatewayHarness.chat("all fail"))
            #expect(reply.status == 502)
            #expect(reply.error["code"] as? String == "all_providers_failed")
            #expect(reply.error["type"] as? String == "upstream_error")
            #expect(reply.errorMessage.contains("primary"))
            #expect(reply.errorMessage.contains("secondary"))
            #expect(!reply.body.contains("SECRET"))
            let metrics = try await h.get("/metrics")
            #expect(!metrics.body.contains("SECRET"))
        }
    }

    @Test func aRequestTheUpstreamRefusesAsInvalidIsA400WithoutFallback() async throws {
        try await GatewayHarness.run { h in
            h.upstream.script("primary", [.status(400, body: #"{"error":{"message":"max_tokens too large"}}"#)])
            let reply = try await h.post(GatewayHarness.chat("invalid upstream"))
            #expect(reply.status == 400)
            #expect(reply.error["code"] as? String == "request_rejected")
            #expect(h.upstream.calls("secondary").isEmpty)
        }
    }

    @Test func theDeadlinePassingIsA504() async throws {
        try await GatewayHarness.run(timeoutMs: 2000, deadlineMs: 300) { h in
            h.upstream.script("primary", [.slow(.seconds(5), ["late"])])
            let reply = try await h.post(GatewayHarness.chat("deadline"))
            #expect(reply.status == 504)
            #expect(reply.error["code"] as? String == "deadline_exceeded")
        }
    }

    /// Found by `switchboard drill` (all-down): the HTTP client's pool used to hold a request whose
    /// connection was refused and retry connecting until the connect timeout, so a dead provider
    /// cost every attempt that long. With a five-minute connect timeout this test would outlive the
    /// suite's two-minute limit unless the refusal surfaces at once.
    @Test func anUnreachableUpstreamIsAConnectionFailureAtOnce() async throws {
        let remote = RemoteProviders(source: "test", environment: [:], connectTimeout: .seconds(300))
        var configuration = ProviderConfiguration(name: "nowhere", kind: .openAICompatible, model: "m", pricing: Pricing(inputPerMillion: 0, outputPerMillion: 0))
        // Port 1 on loopback: nothing listens there, so the connect is refused at once.
        configuration.baseURL = "http://127.0.0.1:1/v1"
        let provider = try remote.make(configuration)
        var failure: ProviderFailure?
        do {
            for try await _ in provider.stream(ProviderRequest(messages: [ChatMessage(role: .user, content: "hi")], sampling: SamplingParameters(), requestID: "t")) {}
        } catch let error as ProviderFailure {
            failure = error
        }
        try await remote.shutdown()
        #expect(failure?.kind == .connection)
        #expect(failure?.isRetryable == true)
    }

    @Test func aMissingProviderKeyVariableIsAConfigErrorNamingTheVariable() throws {
        let remote = RemoteProviders(source: "switchboard.yaml", environment: [:])
        var configuration = ProviderConfiguration(name: "cloud", kind: .openAICompatible, model: "m", pricing: Pricing(inputPerMillion: 0, outputPerMillion: 0))
        configuration.baseURL = "http://127.0.0.1:9/v1"
        configuration.apiKeyEnvironmentVariable = "CLOUD_KEY"
        #expect(throws: ConfigError.self) { try remote.make(configuration) }
        do {
            _ = try remote.make(configuration)
        } catch {
            #expect(error.message.contains("CLOUD_KEY"))
        }
        Task { try? await remote.shutdown() }
    }
}
