import Foundation
@testable import Gateway
import ServingEngine
import Testing
import TestSupport

/// Thousands of damaged chat request bodies, generated from a fixed seed: the decoder must accept
/// each one or refuse it with a 400 whose message is worded, located (line and column for broken
/// JSON) or names the field at fault — never crash, hang or accept something it should not.
@Suite("Chat request decoder under damaged input", .timeLimit(.minutes(1)))
struct ChatRequestDecoderFuzzTests {
    static let valid = [
        #"{"model":"auto","messages":[{"role":"user","content":"What is DNA?"}]}"#,
        #"{"model":"main","stream":true,"stream_options":{"include_usage":true},"temperature":0.7,"top_p":0.9,"max_tokens":64,"stop":["\n\n"],"n":1,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Explain TCP slow start"},{"role":"assistant","content":null},{"role":"user","content":[{"type":"text","text":"and congestion avoidance"}]}]}"#,
        "{\n  \"model\": \"claude-only\",\n  \"max_completion_tokens\": 10,\n  \"stop\": \"END\",\n  \"messages\": [\n    {\"role\": \"developer\", \"content\": \"Résumé: 日本語 🙂\"},\n    {\"role\": \"user\", \"content\": \"q\"}\n  ]\n}",
    ]

    /// Raw JSON values that are legal or nearly so but hostile: wrong types, huge and tiny
    /// numbers, deep nesting, escapes that are not characters.
    static let hostileValues = [
        "null", "true", "false", "0", "-0", "-1", "1e308", "1e400", "-1e400", "123456789012345678901234567890",
        "0.0000000000000000000001", "\"\"", "\"auto\"", "[]", "{}", "[null]", "[{}]", "[[[]]]",
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        String(repeating: "{\"a\":", count: 300) + "1" + String(repeating: "}", count: 300),
        "\"\\ud800\"", "\"\\u0000\"", "\"\\uDFFF\\uD800\"", "\"" + String(repeating: "x", count: 5000) + "\"",
        "[" + Array(repeating: "{\"role\":\"user\",\"content\":\"x\"}", count: 40).joined(separator: ",") + "]",
        "{\"role\":\"user\",\"content\":\"x\"}", "[{\"role\":\"user\"}]", "[{\"role\":7,\"content\":\"x\"}]",
        "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]", "[{\"role\":\"user\",\"content\":[7]}]",
    ]

    /// Bytes that JSON or UTF-8 forbid or that tokenizers trip on.
    static let hostileBytes: [[UInt8]] = [
        [0x80], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x00], [0x1B],
        Array("\"".utf8), Array("\\".utf8), Array(",".utf8), Array("}".utf8), Array("]".utf8), Array(":".utf8), Array("\\u".utf8),
    ]

    static let fields = ["model", "messages", "temperature", "top_p", "max_tokens", "max_completion_tokens", "stop", "stream", "stream_options", "n"]

    enum Outcome {
        case accepted(ChatCompletionRequestParser.Parsed)
        case refused(APIError)
    }

    let parser = ChatCompletionRequestParser(maxMessages: 32, maxPromptBytes: 4096)

    func decode(_ bytes: [UInt8]) -> Outcome {
        do {
            return .accepted(try parser.parse(Data(bytes)))
        } catch {
            return .refused(error)
        }
    }

    /// One byte-level damage: delete, insert, replace, truncate or duplicate a slice.
    static func damage(_ input: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = input
        guard !bytes.isEmpty else { return hostileBytes[Int.random(in: 0..<hostileBytes.count, using: &random)] }
        let position = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0: bytes.remove(at: position)
        case 1: bytes.insert(contentsOf: hostileBytes[Int.random(in: 0..<hostileBytes.count, using: &random)], at: position)
        case 2: bytes[position] = UInt8.random(in: 0...255, using: &random)
        case 3: bytes = Array(bytes.prefix(position))
        case 4:
            let end = min(bytes.count, position + Int.random(in: 1...40, using: &random))
            bytes.insert(contentsOf: bytes[position..<end], at: position)
        default:
            let value = hostileValues[Int.random(in: 0..<hostileValues.count, using: &random)]
            bytes.insert(contentsOf: Array(value.utf8), at: position)
        }
        return bytes
    }

    /// One structural damage: a field (or a message's role or content) replaced by a hostile
    /// value, or removed.
    static func replaceValue(_ input: String, _ random: inout SeededRandom) -> [UInt8] {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(input.utf8))) as? [String: Any] else { return Array(input.utf8) }
        let placeholder = "@@HOSTILE@@"
        let value = hostileValues[Int.random(in: 0..<hostileValues.count, using: &random)]
        let remove = Int.random(in: 0..<5, using: &random) == 0
        if Bool.random(using: &random), var messages = object["messages"] as? [[String: Any]], !messages.isEmpty {
            let index = Int.random(in: 0..<messages.count, using: &random)
            let key = Bool.random(using: &random) ? "role" : "content"
            messages[index][key] = remove ? nil : placeholder
            object["messages"] = messages
        } else {
            let key = fields[Int.random(in: 0..<fields.count, using: &random)]
            object[key] = remove ? nil : placeholder
        }
        let text = String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        return Array(text.replacingOccurrences(of: "\"\(placeholder)\"", with: value).utf8)
    }

    /// What every outcome must satisfy; the problem, if any. (Checked with plain comparisons and
    /// reported once per test: an expectation per case would cost more than the decoding.)
    func problem(_ bytes: [UInt8], _ outcome: Outcome, case number: Int) -> String? {
        let text = String(decoding: bytes.prefix(120), as: UTF8.self)
        switch outcome {
        case .accepted(let parsed):
            if parsed.request.messages.isEmpty { return "case \(number): accepted without messages: \(text)" }
            if parsed.request.messages.count > parser.maxMessages { return "case \(number): accepted over the message limit" }
            if parsed.request.messages.reduce(0, { $0 + $1.content.utf8.count }) > parser.maxPromptBytes { return "case \(number): accepted over the prompt limit" }
            if parsed.request.model.isEmpty { return "case \(number): accepted an empty model: \(text)" }
        case .refused(let error):
            if error.status.code != 400 { return "case \(number): status \(error.status.code) for \(text)" }
            if error.message.isEmpty || error.code == nil { return "case \(number): no message or code for \(text)" }
            if error.code == "invalid_json", !bytes.isEmpty, error.message.hasPrefix("the body is not valid JSON"), !error.message.contains("line ") {
                return "case \(number): '\(error.message)' does not say where, for \(text)"
            }
            if error.code != "invalid_json", error.param == nil { return "case \(number): '\(error.message)' names no field, for \(text)" }
        }
        return nil
    }

    @Test func byteLevelDamageIsAcceptedOrRefusedWithALocatedMessage() async {
        let (problems, refused) = await onBackgroundThread { self.run(seed: 7_001) { number, random in
            var bytes = Array(Self.valid[number % Self.valid.count].utf8)
            for _ in 0..<Int.random(in: 1...3, using: &random) { bytes = Self.damage(bytes, &random) }
            return bytes
        } }
        #expect(problems.isEmpty, "\(problems.count) bad outcomes, e.g. \(problems.prefix(5))")
        #expect(refused > 1500, "the mutations must actually damage the bodies (\(refused) refused)")
    }

    @Test func hostileValuesInEveryFieldAreAcceptedOrRefusedByName() async {
        let (problems, refused) = await onBackgroundThread { self.run(seed: 7_002) { number, random in
            Self.replaceValue(Self.valid[number % Self.valid.count], &random)
        } }
        #expect(problems.isEmpty, "\(problems.count) bad outcomes, e.g. \(problems.prefix(5))")
        #expect(refused > 1000, "the replacements must actually break the bodies (\(refused) refused)")
    }

    /// Decodes 3,000 bodies that `make` generates from a generator seeded with `seed`; the
    /// problems found and how many bodies were refused.
    func run(seed: UInt64, _ make: (Int, inout SeededRandom) -> [UInt8]) -> (problems: [String], refused: Int) {
        var random = SeededRandom(seed: seed)
        var problems: [String] = []
        var refused = 0
        for number in 0..<3000 {
            let bytes = make(number, &random)
            let outcome = decode(bytes)
            if case .refused = outcome { refused += 1 }
            if let problem = problem(bytes, outcome, case: number) { problems.append(problem) }
        }
        return (problems, refused)
    }

    @Test func invalidUTF8IsRefusedWithItsPosition() throws {
        var bytes = Array(#"{"model":"auto","messages":[{"role":"user","content":"caf"#.utf8)
        bytes += [0xC3, 0x28]  // a lead byte followed by an ASCII byte
        bytes += Array(#""}]}"#.utf8)
        guard case .refused(let error) = decode(bytes) else {
            Issue.record("invalid UTF-8 was accepted")
            return
        }
        #expect(error.message.contains("byte 57") && error.message.contains("UTF-8"), "\(error.message)")
    }

    @Test func theMessageAndPromptLimitsNameTheValueAndTheKey() throws {
        let many = #"{"model":"auto","messages":["# + Array(repeating: #"{"role":"user","content":"x"}"#, count: 33).joined(separator: ",") + "]}"
        guard case .refused(let count) = decode(Array(many.utf8)) else {
            Issue.record("33 messages were accepted with a limit of 32")
            return
        }
        #expect(count.code == "too_many_messages" && count.param == "messages")
        #expect(count.message.contains("33") && count.message.contains("32") && count.message.contains("gateway.max_messages"), "\(count.message)")

        let long = GatewayHarness.chat(String(repeating: "é", count: 2049))  // 4,098 bytes
        guard case .refused(let prompt) = decode(Array(long.utf8)) else {
            Issue.record("a 4,098-byte prompt was accepted with a limit of 4,096")
            return
        }
        #expect(prompt.code == "prompt_too_long")
        #expect(prompt.message.contains("4098") && prompt.message.contains("4096") && prompt.message.contains("gateway.max_prompt_bytes"), "\(prompt.message)")

        guard case .accepted = decode(Array(GatewayHarness.chat(String(repeating: "é", count: 2048)).utf8)) else {
            Issue.record("a prompt exactly at the limit was refused")
            return
        }
    }
}
