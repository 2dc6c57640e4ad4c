@testable import Gateway
import ServingEngine
import Testing

@Suite("Server-sent events parsing and upstream status mapping")
struct ServerSentEventParserTests {
    @Test func eventsSplitAcrossReadsAndLineEndingsAreReassembled() {
        var parser = ServerSentEventParser()
        var events = parser.feed(Array("data: {\"a\"".utf8))
        #expect(events.isEmpty)
        events += parser.feed(Array(":1}\r\n\r\nevent: ping\ndata: x\n".utf8))
        events += parser.feed(Array("data: y\n\n: comment\n\ndata:z\r\r".utf8))
        #expect(events == [.init(name: nil, data: "{\"a\":1}"), .init(name: "ping", data: "x\ny"), .init(name: nil, data: "z")])
    }

    @Test func aTrailingEventWithoutItsBlankLineIsHandedOverAtTheEnd() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data: [DONE]".utf8)).isEmpty)
        #expect(parser.finish() == .init(name: nil, data: "[DONE]"))
        #expect(parser.finish() == nil)
    }

    @Test func upstreamStatusesMapToFailureKinds() {
        let kinds = [429, 500, 502, 503, 401, 403, 404, 400, 413, 422, 418].map {
            UpstreamStatus.failure(status: $0, provider: "p", detail: "", retryAfter: nil).kind
        }
        #expect(kinds == [.rateLimited, .serverError, .serverError, .serverError, .providerRejected, .providerRejected, .providerRejected, .requestRejected, .requestRejected, .requestRejected, .badResponse])
        #expect(UpstreamStatus.failure(status: 429, provider: "p", detail: "", retryAfter: "1.5").retryAfter == .milliseconds(1500))
        #expect(UpstreamStatus.failure(status: 500, provider: "p", detail: "", retryAfter: "3").retryAfter == nil)
    }

    @Test func errorExcerptsNeverContainTheKey() {
        let excerpt = UpstreamStatus.excerpt(#"{"error":{"message":"Incorrect API key provided: sk-live-123"}}"#, redacting: "sk-live-123")
        #expect(!excerpt.contains("sk-live-123"))
        #expect(excerpt.contains("Incorrect API key"))
    }
}
