import Foundation
@testable import Gateway
import NIOCore
import NIOPosix
import NIOSSL
import ServingEngine
import Testing

/// The gateway's own upstream client, against a server that answers from raw bytes: what it sends,
/// how it keeps connections, and how each way a connection can fail becomes a ``ProviderFailure``.
@Suite("Upstream HTTP client", .timeLimit(.minutes(2)))
struct UpstreamHTTPClientTests {
    static let answer = #"{"ok":true}"#

    func get(_ client: UpstreamHTTPClient, _ server: RawUpstream, path: String = "/v1/models") async throws -> (Int, String) {
        let response = try await client.execute(UpstreamRequest(method: .get, url: "http://127.0.0.1:\(server.port)\(path)"), timeout: nil)
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status, String(buffer: body))
    }

    @Test func sequentialRequestsReuseOneKeptAliveConnection() async throws {
        let server = try await RawUpstream { _ in .answer(RawUpstream.ok(Self.answer)) }
        let client = UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .seconds(5))
        for _ in 0..<5 {
            let (status, body) = try await get(client, server)
            #expect(status == 200)
            #expect(body == Self.answer)
        }
        #expect(server.connections == 1)
        #expect(server.requests.map(\.onConnection) == [0, 1, 2, 3, 4])
        await client.shutdown()
        try await server.stop()
    }

    @Test func aCallerOnAnEventLoopIsLentOnlyAConnectionOnThatLoop() async throws {
        let server = try await RawUpstream { _ in .answer(RawUpstream.ok(Self.answer)) }
        let client = UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .seconds(5))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = Array(group.makeIterator())
        let request = UpstreamRequest(method: .get, url: "http://127.0.0.1:\(server.port)/v1/models")
        for caller in [loops[0], loops[1], loops[0], loops[1], nil] {
            let response = try await client.execute(request, timeout: nil, from: caller)
            #expect(String(buffer: try await response.body.collect(upTo: 1 << 20)) == Self.answer)
        }
        // The second loop's caller gets a connection of its own rather than the first loop's idle
        // one; after that each loop reuses its own, and a caller on no loop takes the newest idle.
        #expect(server.connections == 2)
        #expect(server.requests.map(\.connection) == [0, 1, 0, 1, 1])
        await client.shutdown()
        try await server.stop()
        try await group.shutdownGracefully()
    }

    @Test func theRequestGoesOutWithHostLengthAndTheCallersHeaders() async throws {
        let server = try await RawUpstream { _ in .answer(RawUpstream.ok(Self.answer)) }
        let client = UpstreamHTTPClient()
        let call = UpstreamCall(transport: client, provider: "primary", secret: "sk-SECRET")
        let response = try await call.post("http://127.0.0.1:\(server.port)/v1/chat/completions", headers: [("authorization", "Bearer sk-SECRET"), ("anthropic-version", "2023-06-01")], body: ["model": "m"])
        _ = try await call.json(of: response)
        let text = try #require(server.requests.first?.text)
        #expect(text.hasPrefix("POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:\(server.port)\r\ncontent-type: application/json\r\n"), "\(text)")
        #expect(text.contains("\r\nauthorization: Bearer sk-SECRET\r\nanthropic-version: 2023-06-01\r\ncontent-length: 13\r\n\r\n{\"model\":\"m\"}"), "\(text)")
        await client.shutdown()
        try await server.stop()
    }

    @Test func aHeaderWithALineBreakIsRefusedBeforeAnythingIsSent() async throws {
        let server = try await RawUpstream { _ in .answer(RawUpstream.ok(Self.answer)) }
        let client = UpstreamHTTPClient()
        let request = UpstreamRequest(method: .get, url: "http://127.0.0.1:\(server.port)/", headers: [("x-evil", "a\r\nx-injected: 1")])
        await #expect { _ = try await client.execute(request, timeout: nil) } throws: { error in
            (error as? UpstreamHTTPError)?.code == .badHeader
        }
        #expect(server.requests.isEmpty)
        await client.shutdown()
        try await server.stop()
    }

    @Test func aKeptAliveConnectionTheServerClosedIsRetriedOnceOnAFreshOne() async throws {
        // The second request on any connection finds it closed with no answer, as when a server
        // drops an idle connection just as the request goes out.
        let server = try await RawUpstream { request in request.onConnection == 1 ? .close : .answer(RawUpstream.ok(Self.answer)) }
        let client = UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .seconds(5))
        #expect(try await get(client, server).0 == 200)
        #expect(try await get(client, server).0 == 200)
        #expect(server.connections == 2)
        #expect(server.requests.map { [$0.connection, $0.onConnection] } == [[0, 0], [0, 1], [1, 0]])
        await client.shutdown()
        try await server.stop()
    }

    @Test func aFreshConnectionClosedWithoutAnAnswerIsNotRetried() async throws {
        let server = try await RawUpstream { _ in .close }
        let client = UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .seconds(5))
        let call = UpstreamCall(transport: client, provider: "primary", secret: nil)
        await #expect { _ = try await call.post("http://127.0.0.1:\(server.port)/v1/chat/completions", headers: [], body: [:]) } throws: { error in
            let failure = error as? ProviderFailure
            return failure?.kind == .connection && failure?.detail.contains("cannot reach primary") == true
        }
        #expect(server.requests.count == 1)
        await client.shutdown()
        try await server.stop()
    }

    @Test func aReusedConnectionThatBreaksMidResponseIsNotRetried() async throws {
        // Part of an answer arrived: the server may have acted on the request, so it is not sent again.
        let server = try await RawUpstream { request in
            request.onConnection == 1 ? .answerAndClose("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"partial\"") : .answer(RawUpstream.ok(Self.answer))
        }
        let client = UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .seconds(5))
        let call = UpstreamCall(transport: client, provider: "primary", secret: nil)
        let url = "http://127.0.0.1:\(server.port)/v1/chat/completions"
        _ = try await call.json(of: try await call.post(url, headers: [], body: [:]))
        let response = try await call.post(url, headers: [], body: [:])
        await #expect { _ = try await call.json(of: response) } throws: { error in
            (error as? ProviderFailure)?.kind == .streamBroken
        }
        #expect(server.requests.count == 2)
        await client.shutdown()
        try await server.stop()
    }

    @Test func cancellingTheReadingTaskMidStreamClosesTheConnection() async throws {
        let server = try await RawUpstream { _ in .stall(RawUpstream.streamStart("data: {\"choices\":[]}\n\n")) }
        let client = UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .seconds(60))
        let call = UpstreamCall(transport: client, provider: "primary", secret: nil)
        let (firstEvent, seen) = AsyncStream.makeStream(of: Void.self)
        let reading = Task {
            let response = try await call.post("http://127.0.0.1:\(server.port)/v1/chat/completions", headers: [], body: [:])
            try await call.events(of: response) { _ in
                seen.yield()
                return true
            }
        }
        for await _ in firstEvent { break }
        let started = ContinuousClock.now
        reading.cancel()
        await #expect(throws: CancellationError.self) { try await reading.value }
        #expect(ContinuousClock.now - started < .seconds(5))
        for _ in 0..<200 where server.closedConnections == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.closedConnections == 1)
        await client.shutdown()
        try await server.stop()
    }

    @Test func aResponseOverTheSizeLimitFailsAsABadResponse() async throws {
        let big = String(repeating: "x", count: 5000)
        let server = try await RawUpstream { request in
            request.text.contains("stream") ? .answerAndClose(RawUpstream.streamStart("data: \(big)\n\n") + "0\r\n\r\n") : .answer(RawUpstream.ok(#"{"text":"\#(big)"}"#))
        }
        let client = UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .seconds(5))
        let call = UpstreamCall(transport: client, provider: "primary", secret: nil, maxResponseBytes: 1000)
        let url = "http://127.0.0.1:\(server.port)/v1/chat/completions"
        await #expect { _ = try await call.json(of: try await call.post(url, headers: [], body: [:])) } throws: { error in
            let failure = error as? ProviderFailure
            return failure?.kind == .badResponse && failure?.detail.contains("primary sent more than 1000 bytes") == true
        }
        await #expect {
            try await call.events(of: try await call.post(url, headers: [], body: ["stream": true])) { _ in true }
        } throws: { error in
            let failure = error as? ProviderFailure
            return failure?.kind == .badResponse && failure?.detail.contains("gateway.max_upstream_response_bytes") == true
        }
        await client.shutdown()
        try await server.stop()
    }

    @Test func aRefusedConnectionIsAConnectionFailureNamingTheProvider() async throws {
        let client = UpstreamHTTPClient(connectTimeout: .seconds(300))
        let call = UpstreamCall(transport: client, provider: "nowhere", secret: nil)
        let started = ContinuousClock.now
        await #expect { _ = try await call.post("http://127.0.0.1:1/v1/chat/completions", headers: [], body: [:]) } throws: { error in
            let failure = error as? ProviderFailure
            return failure?.kind == .connection && failure?.detail.contains("cannot reach nowhere") == true && failure?.isRetryable == true
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        await client.shutdown()
    }

    @Test func aServerSilentPastTheReadTimeoutIsATimeout() async throws {
        let server = try await RawUpstream { _ in .stall("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n") }
        let client = UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .milliseconds(200))
        let call = UpstreamCall(transport: client, provider: "primary", secret: nil)
        // The head comes at once and then nothing; on a loaded machine the head itself may take
        // longer than the timeout to be read, so the timeout may end the call or its stream.
        await #expect {
            let response = try await call.post("http://127.0.0.1:\(server.port)/v1/chat/completions", headers: [], body: [:])
            try await call.events(of: response) { _ in true }
        } throws: { error in
            let failure = error as? ProviderFailure
            return failure?.kind == .timeout && failure?.detail == "primary stopped sending (read timeout)"
        }
        await client.shutdown()
        try await server.stop()
    }

    @Test func aCallPastItsOwnTimeoutIsADeadlineExceeded() async throws {
        let server = try await RawUpstream { _ in .stall("") }
        let client = UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .seconds(60))
        await #expect {
            _ = try await client.execute(UpstreamRequest(method: .get, url: "http://127.0.0.1:\(server.port)/v1/models"), timeout: .milliseconds(100))
        } throws: { error in
            (error as? UpstreamHTTPError)?.code == .deadlineExceeded
        }
        await client.shutdown()
        try await server.stop()
    }

    @Test func aBodyDroppedBeforeItsEndIsDrainedAndTheConnectionKept() async throws {
        let server = try await RawUpstream { _ in .answer(RawUpstream.streamStart("data: one\n\n") + RawUpstream.chunk("data: two\n\n") + "0\r\n\r\n") }
        let client = UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .seconds(5))
        for _ in 0..<3 {
            do {
                let response = try await client.execute(UpstreamRequest(method: .get, url: "http://127.0.0.1:\(server.port)/"), timeout: nil)
                _ = try await response.body.next()
            }
            // The dropped body goes back to its connection's event loop, which drains and pools it.
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(server.requests.count == 3)
        #expect(server.connections == 1, "\(server.requests.map { [$0.connection, $0.onConnection] })")
        await client.shutdown()
        try await server.stop()
    }

    @Test func urlsSplitIntoOriginAndTarget() throws {
        let plain = try UpstreamURL("http://127.0.0.1:8080/v1/chat/completions?x=1#frag")
        #expect(plain.origin == UpstreamURL.Origin(secure: false, host: "127.0.0.1", port: 8080))
        #expect(plain.target == "/v1/chat/completions?x=1")
        let secure = try UpstreamURL("https://API.example.com/v1")
        #expect(secure.origin == UpstreamURL.Origin(secure: true, host: "api.example.com", port: 443))
        #expect(secure.origin.hostHeader == "api.example.com")
        #expect(!secure.origin.hostIsAddress)
        let six = try UpstreamURL("http://[::1]:9000")
        #expect(six.origin.host == "::1")
        #expect(six.origin.hostHeader == "[::1]:9000")
        #expect(six.target == "/")
        #expect(throws: UpstreamHTTPError.self) { try UpstreamURL("ftp://example.com/") }
        #expect(throws: UpstreamHTTPError.self) { try UpstreamURL("http://example.com:99999/") }
        #expect(throws: UpstreamHTTPError.self) { try UpstreamURL("http:///v1") }
    }
}

/// HTTPS upstreams: the certificate is verified against the trust roots and the URL's host name.
@Suite("Upstream HTTP client over TLS", .timeLimit(.minutes(2)))
struct UpstreamHTTPClientTLSTests {
    func trusting() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try TLSUpstream.certificate()])
        return tls
    }

    @Test func anHTTPSUpstreamWithATrustedCertificateForItsHostAnswers() async throws {
        let server = try await TLSUpstream()
        let client = UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .seconds(5), tls: try trusting())
        for _ in 0..<2 {
            let response = try await client.execute(UpstreamRequest(method: .get, url: "https://localhost:\(server.port)/v1/models"), timeout: .seconds(10))
            #expect(response.status == 200)
            #expect(String(buffer: try await response.body.collect(upTo: 1024)) == #"{"tls":true}"#)
        }
        await client.shutdown()
        try await server.stop()
    }

    @Test func aCertificateForAnotherHostOrFromNoTrustedRootIsAConnectionFailure() async throws {
        let server = try await TLSUpstream()
        // Trusted, but issued to localhost, not to 127.0.0.1.
        let wrongName = UpstreamCall(transport: UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .seconds(5), tls: try trusting()), provider: "secure", secret: nil)
        // For localhost, but from no root the system trusts.
        let untrusted = UpstreamCall(transport: UpstreamHTTPClient(connectTimeout: .seconds(2), readTimeout: .seconds(5)), provider: "secure", secret: nil)
        for (call, host) in [(wrongName, "127.0.0.1"), (untrusted, "localhost")] {
            await #expect {
                _ = try await call.post("https://\(host):\(server.port)/v1/chat/completions", headers: [], body: [:])
            } throws: { error in
                let failure = error as? ProviderFailure
                return failure?.kind == .connection && failure?.detail.contains("cannot reach secure") == true
            }
        }
        try await server.stop()
    }
}
