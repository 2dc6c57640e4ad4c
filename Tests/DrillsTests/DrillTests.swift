import AsyncHTTPClient
@testable import Drills
import Foundation
@testable import Gateway
import Logging
import NIOCore
import ServiceLifecycle
import ServingEngine
import TestSupport
import Testing

@Suite("Drill: judging requests and aggregating reports")
struct DrillOutcomeTests {
    let done = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
    let errorEvent = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {\"error\":{\"message\":\"the answer broke off\",\"type\":\"upstream_error\"}}\n\n"

    func observe(stream: Bool = false, status: Int? = 200, provider: String? = "primary", body: String, transport: DrillObservation.Transport = .complete) -> DrillObservation {
        DrillObservation(stream: stream, status: status, provider: provider, body: body, transport: transport)
    }

    @Test func completeAnswersAreAnsweredByTheProviderInTheHeader() {
        let json = #"{"choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}]}"#
        #expect(DrillOutcome.classify(observe(provider: "secondary", body: json)) == .answered(provider: "secondary"))
        #expect(DrillOutcome.classify(observe(stream: true, body: done)) == .answered(provider: "primary"))
    }

    @Test func openAIStyleErrorsAndErrorEventsAreClearFailures() {
        #expect(DrillOutcome.classify(observe(status: 502, body: #"{"error":{"message":"every provider failed","type":"upstream_error","param":null,"code":"all_providers_failed"}}"#)) == .failedClearly(status: 502))
        #expect(DrillOutcome.classify(observe(stream: true, body: errorEvent)) == .failedClearly(status: 200))
        // The error event arrived before the connection went: still clear.
        #expect(DrillOutcome.classify(observe(stream: true, body: errorEvent, transport: .broken("reset"))) == .failedClearly(status: 200))
        #expect(DrillOutcome.errorSummary(observe(stream: true, body: errorEvent)) == "HTTP 200: the answer broke off")
        #expect(DrillOutcome.errorSummary(observe(body: done)) == nil)
    }

    @Test func silenceInAnyFormIsLost() {
        let cases: [DrillObservation] = [
            observe(body: ""),                                                            // empty 200
            observe(body: #"{"choices":[]}"#),                                            // 200 without an answer
            observe(status: 500, body: "Internal Server Error"),                          // error without a JSON body
            observe(stream: true, body: String(done.dropLast("data: [DONE]\n\n".count))), // no [DONE], no error
            observe(stream: true, body: "data: [DONE]\n\n"),                              // [DONE] with nothing before
            observe(status: nil, body: "", transport: .broken("connection reset by peer")),
            observe(status: nil, body: "", transport: .refused),
        ]
        for observation in cases {
            guard case .lost = DrillOutcome.classify(observation) else {
                Issue.record("expected lost for \(observation)")
                continue
            }
        }
    }

    @Test func aDeadlineIsHungAndRefusalsCountOnlyWhenTheDrillCausedThem() {
        #expect(DrillOutcome.classify(observe(status: nil, body: "", transport: .timedOut)) == .hung)
        #expect(DrillOutcome.classify(observe(status: nil, body: "", transport: .refused), refusalExpected: true) == .refused)
        #expect(DrillOutcome.classify(observe(status: nil, body: "", transport: .broken("closed")), refusalExpected: true) == .refused)
        #expect(DrillOutcome.classify(observe(status: 200, body: "", transport: .timedOut), refusalExpected: true) == .hung)
    }

    @Test func theReportCountsEveryOutcomeAndFailsOnLostHungOrAFailedCheck() {
        let results: [(outcome: DrillOutcome, latency: Duration)] = [
            (.answered(provider: "primary"), .milliseconds(10)),
            (.answered(provider: "secondary"), .milliseconds(20)),
            (.answered(provider: "cache"), .milliseconds(1)),
            (.failedClearly(status: 502), .milliseconds(30)),
            (.refused, .milliseconds(2)),
        ]
        let report = DrillScenarioReport(scenario: "s", results: results, primary: "primary")
        #expect(report.sent == 5)
        #expect(report.answered == 3)
        #expect(report.answeredByFallback == 1)
        #expect(report.answeredFromCache == 1)
        #expect(report.failedClearly == 1)
        #expect(report.refused == 1)
        #expect(report.p50Milliseconds == 10)
        #expect(report.p99Milliseconds == 30)
        #expect(report.ok)
        let lost = DrillScenarioReport(scenario: "s", results: results + [(.lost("reset"), .milliseconds(5))], primary: "primary")
        #expect(!lost.ok)
        #expect(lost.lostExamples == ["reset"])
        #expect(!DrillScenarioReport(scenario: "s", results: results + [(.hung, .seconds(10))], primary: "primary").ok)
        #expect(!DrillScenarioReport(scenario: "s", results: results, primary: "primary", checks: [.init("x", false, "no")]).ok)
        let whole = DrillReport(clients: 4, durationSeconds: 1, seed: 1, scenarios: [report, lost])
        let json = try? JSONSerialization.jsonObject(with: Data(whole.json().utf8)) as? [String: Any]
        #expect(json?["ok"] as? Bool == false)
        let scenarios = json?["scenarios"] as? [[String: Any]]
        #expect(scenarios?.first?["lost"] as? Int == 0)
        #expect(scenarios?.first?["answered_by_fallback"] as? Int == 1)
        #expect(whole.table().contains("FAILED"))
    }
}

@Suite("Drill: the scripted upstream and the remote embedder", .serialized, .timeLimit(.minutes(1)))
struct ScriptedUpstreamTests {
    func post(_ client: HTTPClient, _ url: String, _ body: String) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(5))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    @Test func itAnswersMisbehavesAsToldAndRefusesConnectionsWhileStopped() async throws {
        let upstream = ScriptedUpstream(name: "p", answer: .drill)
        _ = try await upstream.start()
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let url = upstream.baseURL + "/chat/completions"
        let normal = try await post(client, url, #"{"stream":true}"#)
        #expect(normal.status == 200)
        #expect(normal.body.hasSuffix("data: [DONE]\n\n"))
        upstream.behavior = .status(429, retryAfter: "1")
        #expect(try await post(client, url, "{}").status == 429)
        upstream.behavior = .cutAfterTokens(2)
        await #expect(throws: (any Error).self) { _ = try await post(client, url, #"{"stream":true}"#) }
        upstream.behavior = .answer
        await upstream.stop()
        #expect(!upstream.isRunning)
        do {
            _ = try await post(client, url, "{}")
            Issue.record("a stopped upstream must refuse connections")
        } catch {
            #expect(DrillLoad.transport(error) == .refused)
        }
        let port = upstream.port
        #expect(try await upstream.start() == port)
        #expect(try await post(client, url, "{}").status == 200)
        #expect(upstream.calls == 4)
        try await client.shutdown()
        await upstream.stop()
    }

    @Test func theRemoteEmbedderReturnsUnitVectorsAndFailsClearlyWhenTheEndpointMisbehaves() async throws {
        let upstream = ScriptedUpstream(name: "embeddings", answer: .drill)
        _ = try await upstream.start()
        let remote = RemoteProviders(source: "test.yaml", environment: [:])
        do {
            try await exerciseRemoteEmbedder(remote, upstream)
        } catch {
            Issue.record(error)
        }
        await upstream.stop()
        try await remote.shutdown()
    }

    func exerciseRemoteEmbedder(_ remote: RemoteProviders, _ upstream: ScriptedUpstream) async throws {
        // Patient where the endpoint answers, so a busy test process is never a timeout; the
        // stall, which never answers, trips the short one.
        let embedder = try remote.makeEmbedder(.init(baseURL: upstream.baseURL, model: "m", dimensions: 384, timeout: .seconds(30)))
        let impatient = try remote.makeEmbedder(.init(baseURL: upstream.baseURL, model: "m", dimensions: 384, timeout: .milliseconds(300)))
        #expect(embedder.name == "remote:m")
        #expect(impatient.timeout == .milliseconds(300))
        let vector = try await embedder.embed("how do I reset my password")
        #expect(vector.count == 384)
        #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        let local = try await HashingEmbedder().embed("how do I reset my password")
        #expect(zip(vector, local).reduce(0) { $0 + $1.0 * $1.1 } > 0.999)

        upstream.behavior = .stall
        await #expect(throws: RemoteEmbedderError.self) { _ = try await impatient.embed("stalled") }
        upstream.behavior = .garbage
        do {
            _ = try await embedder.embed("garbage")
            Issue.record("a truncated body must be an error")
        } catch let error as RemoteEmbedderError {
            #expect(error.message.contains("not a JSON object"))
        }
        upstream.behavior = .status(503, retryAfter: nil)
        do {
            _ = try await embedder.embed("down")
            Issue.record("a 503 must be an error")
        } catch let error as RemoteEmbedderError {
            #expect(error.message.contains("HTTP 503"))
        }
        upstream.behavior = .answer
        let wrongSize = try remote.makeEmbedder(.init(baseURL: upstream.baseURL, model: "m", dimensions: 768, timeout: .seconds(30)))
        do {
            _ = try await wrongSize.embed("size")
            Issue.record("a vector of the wrong length must be an error")
        } catch let error as RemoteEmbedderError {
            #expect(error.message.contains("384 dimensions"))
            #expect(error.message.contains("768"))
        }
    }

    @Test func theVectorParserRejectsWhatIsNotAnEmbedding() throws {
        let endpoint = "http://e/v1/embeddings"
        #expect(try RemoteEmbedder.vector(from: Data(#"{"data":[{"embedding":[3,4]}]}"#.utf8), dimensions: 2, endpoint: endpoint) == [0.6, 0.8])
        for body in [#"{"data":[]}"#, #"{"data":[{"embedding":[0,0]}]}"#, #"{"data":[{"embedding":["a",1]}]}"#, #"{"data":[{"embedding":[1e400,1]}]}"#, "[1,2]"] {
            #expect(throws: RemoteEmbedderError.self, "\(body)") { try RemoteEmbedder.vector(from: Data(body.utf8), dimensions: 2, endpoint: endpoint) }
        }
    }

    @Test func aMissingEmbedderKeyIsAConfigErrorNamingTheVariable() {
        let remote = RemoteProviders(source: "switchboard.yaml", environment: [:])
        do {
            _ = try remote.makeEmbedder(.init(baseURL: "http://127.0.0.1:9/v1", model: "m", dimensions: 8, apiKeyEnvironmentVariable: "EMBED_KEY"))
            Issue.record("expected a ConfigError")
        } catch {
            #expect(error.message.contains("EMBED_KEY"))
            #expect(error.key == "cache.remote_embedder.api_key_env")
        }
        Task { try? await remote.shutdown() }
    }
}

@Suite("A stalled embedding endpoint through the gateway", .serialized, .timeLimit(.minutes(1)))
struct EmbedderStallGatewayTests {
    @Test func theAnswerComesFromTheProviderAndTheFailureIsInTheHeaderAndOnMetrics() async throws {
        let upstreams = DrillRunner.Upstreams(providers: DrillRunner.chain.map { ScriptedUpstream(name: $0, answer: .drill) }, embeddings: ScriptedUpstream(name: "embeddings", answer: .drill))
        try await upstreams.reset()
        upstreams.embeddings.behavior = .stall
        let remote = RemoteProviders(source: "test", environment: [:])
        // The drill's short provider timeouts would let a busy test process move the answer to
        // the next provider; the stalled embedder, which never answers, still trips its own.
        var configuration = DrillRunner.configuration(upstreams)
        for index in configuration.providers.indices { configuration.providers[index].timeout = .seconds(30) }
        let engine = try ServingEngine(configuration: configuration, registry: remote.registry, makeRemoteEmbedder: remote.makeEmbedder)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let gateway = GatewayServer(engine: engine, settings: GatewaySettings(address: GatewayAddress(host: "127.0.0.1", port: 0)), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [gateway], logger: logger))
        let running = Task { try await group.run() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let base = try await gateway.listeningAddress().url
            var request = HTTPClientRequest(url: base + "/v1/chat/completions")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: #"{"model":"auto","messages":[{"role":"user","content":"What is a circuit breaker?"}]}"#))
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            #expect(response.status.code == 200)
            #expect(response.headers.first(name: "x-switchboard-cache") == "unavailable")
            #expect(response.headers.first(name: "x-switchboard-provider") == "primary")
            let metrics = try await client.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(10))
            let text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
            #expect(text.contains("switchboard_cache_embedder_failures_total 1"), "\(text)")
            #expect(engine.snapshot().totals.embedderFailures == 1)
        } catch {
            Issue.record(error)
        }
        upstreams.embeddings.behavior = .answer
        try await client.shutdown()
        try await remote.shutdown()
        await group.triggerGracefulShutdown()
        _ = await running.result
        for upstream in upstreams.providers + [upstreams.embeddings] { await upstream.stop() }
    }
}
