import Foundation
import Hummingbird
import NIOCore

/// The event streams a ``ScriptedUpstream`` writes, in OpenAI's chat-completion chunks or
/// Anthropic's Messages events.
enum ScriptedStream {
    /// One OpenAI content chunk. CRLF line endings on purpose: a client's parser must take both.
    static func openAIPiece(_ text: String) -> String {
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\(json(text))},\"finish_reason\":null}]}\r\n\r\n"
    }

    static let openAIRole = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"

    /// OpenAI's closing chunks: the finish reason, the usage and `[DONE]`.
    static func openAIEnd(finish: String, promptTokens: Int, completionTokens: Int) -> String {
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"\(finish)\"}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":\(promptTokens),\"completion_tokens\":\(completionTokens),\"total_tokens\":\(promptTokens + completionTokens)}}\n\n"
            + "data: [DONE]\n\n"
    }

    /// Anthropic's opening events (with a comment, which clients must skip).
    static func anthropicStart(promptTokens: Int) -> String {
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":\(promptTokens),\"output_tokens\":1}}}\n\n: keep-alive comment\n\n"
    }

    static func anthropicPiece(_ text: String) -> String {
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\(json(text))}}\n\n"
    }

    static func anthropicEnd(finish: String, completionTokens: Int) -> String {
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"\(finish)\"},\"usage\":{\"output_tokens\":\(completionTokens)}}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
    }

    /// Writes a scripted step's stream and finishes the body (or throws, to break the connection).
    static func write(_ step: ScriptedUpstream.Step, anthropic: Bool, to writer: inout any ResponseBodyWriter) async throws {
        func send(_ text: String) async throws { try await writer.write(ByteBuffer(string: text)) }
        func chunks(_ parts: [String], finish: String?) async throws {
            if anthropic {
                try await send(anthropicStart(promptTokens: 9))
                for part in parts { try await send(anthropicPiece(part)) }
                if let finish { try await send(anthropicEnd(finish: finish, completionTokens: parts.count)) }
            } else {
                try await send(openAIRole)
                for part in parts { try await send(openAIPiece(part)) }
                if let finish { try await send(openAIEnd(finish: finish, promptTokens: 9, completionTokens: parts.count)) }
            }
        }
        switch step {
        case .answer(let parts, let finish):
            try await chunks(parts, finish: finish)
        case .slow(let delay, let parts):
            try await Task.sleep(for: delay)
            try await chunks(parts, finish: anthropic ? "end_turn" : "stop")
        case .cut(let parts):
            try await chunks(parts, finish: nil)
        case .drop(let parts):
            try await chunks(parts, finish: nil)
            // Let the chunks reach the client before the connection goes.
            try await Task.sleep(for: .milliseconds(150))
            throw CancellationError()
        case .garbled:
            try await send("data: {\"choices\": [oops\n\n")
        case .endless(let bytes):
            let filler = String(repeating: "y", count: 4000)
            let piece = anthropic ? anthropicPiece(filler) : "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\(filler)\"},\"finish_reason\":null}]}\n\n"
            var sent = 0
            while sent < bytes {
                try await send(piece)
                sent += piece.utf8.count
            }
        case .raw(let bytes):
            try await writer.write(ByteBuffer(bytes: bytes))
        case .events(let text):
            try await send(text)
        case .trickle(let parts, let every):
            try await chunks(Array(parts.prefix(1)), finish: nil)
            for part in parts.dropFirst() {
                try await Task.sleep(for: every)
                try await send("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\(json(part))},\"finish_reason\":null}]}\n\n")
            }
            try await send("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
        case .status, .plainJSON, .hugeJSON, .json:
            break
        }
        try await writer.finish(nil)
    }

    /// `text` as a JSON string literal.
    static func json(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed]), as: UTF8.self)
    }
}

/// A ``ScriptedUpstream/Answer`` in the bytes each API sends, made once so that answering costs
/// the benchmarks no formatting.
struct PreparedAnswer: Sendable {
    /// A `chat.completion` body.
    let completion: ByteBuffer
    /// An Anthropic `message` body.
    let message: ByteBuffer
    /// The chat stream: the role chunk, one chunk per piece, then the closing chunks in one write.
    let chatStream: [ByteBuffer]
    /// The Messages stream: the opening events, one event per piece, then the closing events.
    let messageStream: [ByteBuffer]

    init(_ answer: ScriptedUpstream.Answer, model: String) {
        let text = ScriptedStream.json(answer.pieces.joined())
        let (prompt, completionTokens) = (answer.promptTokens, answer.completionTokens)
        completion = ByteBuffer(string: #"{"id":"chatcmpl-\#(model)","object":"chat.completion","created":0,"model":"\#(model)","choices":[{"index":0,"message":{"role":"assistant","content":\#(text)},"finish_reason":"stop"}],"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completionTokens),"total_tokens":\#(prompt + completionTokens)}}"#)
        message = ByteBuffer(string: #"{"id":"msg_\#(model)","type":"message","role":"assistant","model":"\#(model)","content":[{"type":"text","text":\#(text)}],"stop_reason":"end_turn","usage":{"input_tokens":\#(prompt),"output_tokens":\#(completionTokens)}}"#)
        chatStream = ([ScriptedStream.openAIRole] + answer.pieces.map(ScriptedStream.openAIPiece)
            + [ScriptedStream.openAIEnd(finish: "stop", promptTokens: prompt, completionTokens: completionTokens)]).map { ByteBuffer(string: $0) }
        messageStream = ([ScriptedStream.anthropicStart(promptTokens: prompt)] + answer.pieces.map(ScriptedStream.anthropicPiece)
            + [ScriptedStream.anthropicEnd(finish: "stop", completionTokens: completionTokens)]).map { ByteBuffer(string: $0) }
    }
}
