@testable import Gateway
import ServingEngine
import Testing
import TestSupport

/// Generated upstream streams, from a fixed seed: well-formed streams decode to exactly the
/// events they were made from, and any input — garbage, invalid UTF-8, streams cut anywhere —
/// decodes to the same events however the network happens to split it.
@Suite("Server-sent events parser under generated streams", .timeLimit(.minutes(1)))
struct ServerSentEventParserFuzzTests {
    static let lineEndings = ["\n", "\r\n", "\r"]
    static let alphabet: [String] = ["a", "Z", "0", " ", ":", "{", "}", "\"", "data", "event", "[DONE]", "é", "日本", "🙂", "\u{FEFF}", "\\n", "\t"]

    static func text(_ random: inout SeededRandom) -> String {
        (0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }.joined()
    }

    /// A stream of events with names, multi-line data, comments and mixed line endings, and the
    /// events a correct parser must produce from it.
    static func wellFormed(_ random: inout SeededRandom) -> (bytes: [UInt8], events: [ServerSentEventParser.Event]) {
        var out = ""
        var events: [ServerSentEventParser.Event] = []
        for _ in 0..<Int.random(in: 0...8, using: &random) {
            // One line ending per event: a "\r" followed by a "\n" would be one "\r\n" ending.
            let ending = lineEndings[Int.random(in: 0..<lineEndings.count, using: &random)]
            func end(_ random: inout SeededRandom) -> String { ending }
            if Int.random(in: 0..<4, using: &random) == 0 { out += ": keep-alive " + text(&random) + end(&random) }
            var name: String?
            if Bool.random(using: &random) {
                name = text(&random).replacingOccurrences(of: "\r", with: "")
                out += "event: " + name! + end(&random)
            }
            let lines = (0..<Int.random(in: 1...3, using: &random)).map { _ in text(&random) }
            for line in lines { out += "data: " + line + end(&random) }
            if Int.random(in: 0..<5, using: &random) == 0 { out += "id: 7" + end(&random) }
            out += end(&random)
            events.append(.init(name: name, data: lines.joined(separator: "\n")))
        }
        return (Array(out.utf8), events)
    }

    /// Bytes with a high share of SSE syntax, invalid UTF-8 and stray line endings.
    static func garbage(_ random: inout SeededRandom) -> [UInt8] {
        let pieces: [[UInt8]] = [Array("data:".utf8), Array("event:".utf8), Array(": ".utf8), [0x0A], [0x0D], [0x0D, 0x0A], [0xFF], [0xC3], [0x80], [0x00], Array("{\"choices\":".utf8), Array(" ".utf8)]
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 0...60, using: &random) {
            if Bool.random(using: &random) {
                bytes += pieces[Int.random(in: 0..<pieces.count, using: &random)]
            } else {
                bytes.append(UInt8.random(in: 0...255, using: &random))
            }
        }
        return bytes
    }

    /// Every event `bytes` yields, fed in one piece or split at random points, plus what
    /// ``ServerSentEventParser/finish()`` hands over at the end.
    static func decode(_ bytes: [UInt8], splits random: inout SeededRandom?) -> [ServerSentEventParser.Event] {
        var parser = ServerSentEventParser()
        var events: [ServerSentEventParser.Event] = []
        if var generator = random {
            var start = 0
            while start < bytes.count {
                let length = Int.random(in: 0...min(7, bytes.count - start), using: &generator)
                events += parser.feed(bytes[start..<(start + length)])
                start += length
            }
            random = generator
        } else {
            events += parser.feed(bytes)
        }
        if let last = parser.finish() { events.append(last) }
        return events
    }

    @Test func wellFormedStreamsDecodeToTheirEventsWhateverTheChunking() async {
        let failures = await onBackgroundThread {
            var random = SeededRandom(seed: 9_001)
            var failures: [Int] = []
            for number in 0..<2000 {
                let (bytes, expected) = Self.wellFormed(&random)
                var none: SeededRandom?
                var splits: SeededRandom? = SeededRandom(seed: random.next())
                if Self.decode(bytes, splits: &none) != expected || Self.decode(bytes, splits: &splits) != expected { failures.append(number) }
            }
            return failures
        }
        #expect(failures.isEmpty, "\(failures.count) streams decoded wrongly, e.g. cases \(failures.prefix(10))")
    }

    @Test func anyInputDecodesTheSameWholeOrSplit() async {
        let failures = await onBackgroundThread {
            var random = SeededRandom(seed: 9_002)
            var failures: [String] = []
            for number in 0..<3000 {
                var bytes = number % 2 == 0 ? Self.garbage(&random) : Self.wellFormed(&random).bytes
                // Cut the stream anywhere, as a dropped connection does.
                if !bytes.isEmpty, Bool.random(using: &random) { bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random))) }
                var none: SeededRandom?
                let whole = Self.decode(bytes, splits: &none)
                var splits: SeededRandom? = SeededRandom(seed: random.next())
                if Self.decode(bytes, splits: &splits) != whole { failures.append("case \(number): \(bytes.prefix(40))") }
            }
            return failures
        }
        #expect(failures.isEmpty, "\(failures.count) inputs decoded differently when split, e.g. \(failures.prefix(5))")
    }

    @Test func aStreamCutMidEventHandsOverTheFragmentForTheProviderToRefuse() throws {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data: {\"a\":1}\n\ndata: {\"choi".utf8)) == [.init(name: nil, data: "{\"a\":1}")])
        #expect(parser.hasPartialEvent)
        let last = parser.finish()
        let fragment = try #require(last)
        #expect(fragment.data == "{\"choi")
        // The provider's decoding of it is a clear, retryable bad response.
        let call = UpstreamCall(transport: UnreachableTransport(), provider: "primary", secret: "sk-x")
        #expect {
            _ = try call.object(fragment.data)
        } throws: { error in
            let failure = error as? ProviderFailure
            return failure?.kind == .badResponse && failure?.detail.contains("primary sent a stream event that is not a JSON object") == true
        }
    }
}

/// A transport for calls that only decode: it never reaches a server.
private struct UnreachableTransport: UpstreamTransport {
    func execute(_ request: UpstreamRequest, timeout: Duration?) async throws -> UpstreamResponse {
        throw CancellationError()
    }
}
