import NIOCore
import ServingEngine

/// Encodes the server-sent events of a streamed chat completion: `chat.completion.chunk` objects
/// with the answer's id, model and creation time, and the provider's top-level fields
/// (`system_fingerprint`…) once they are known.
struct ChunkWriter: Sendable {
    var id: String
    var model: String
    var created: Int
    /// Top-level fields to add to every chunk from now on.
    var responseFields = JSONObject()

    /// The last event of a complete stream.
    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    /// The first chunk: the assistant role, with empty content, for choice `index`.
    func opening(index: Int = 0) -> ByteBuffer {
        chunk([["index": .integer(Int64(index)), "delta": ["role": "assistant", "content": ""], "finish_reason": .null]])
    }

    /// A chunk of answer text for choice 0.
    func text(_ content: String) -> ByteBuffer {
        chunk([["index": 0, "delta": ["content": .string(content)], "finish_reason": .null]])
    }

    /// A chunk carrying one piece of a choice.
    func delta(_ delta: ChoiceDelta) -> ByteBuffer {
        chunk([delta.wireChunkChoice])
    }

    /// The closing chunk of choice `index`, with its finish reason.
    func finish(_ reason: FinishReason, index: Int = 0) -> ByteBuffer {
        chunk([["index": .integer(Int64(index)), "delta": [:], "finish_reason": .string(reason.rawValue)]])
    }

    /// The usage chunk clients ask for with `stream_options.include_usage` (no choices).
    func usageChunk(_ usage: TokenUsage) -> ByteBuffer {
        var body = envelope([])
        body["usage"] = .object(ChatCompletionWire.usage(usage))
        return Self.event(.object(body))
    }

    /// An error event for a stream that broke off.
    func error(_ error: APIError) -> ByteBuffer {
        Self.event(.object(error.wireObject))
    }

    private func chunk(_ choices: [JSONObject]) -> ByteBuffer {
        Self.event(.object(envelope(choices)))
    }

    private func envelope(_ choices: [JSONObject]) -> JSONObject {
        var body: JSONObject = [
            "id": .string(id), "object": "chat.completion.chunk", "created": .integer(Int64(created)), "model": .string(model),
            "choices": .array(choices.map(JSONValue.object)),
        ]
        for (key, value) in responseFields where body[key] == nil { body[key] = value }
        return body
    }

    /// `data: <json>` and the blank line that ends an event.
    static func event(_ value: JSONValue) -> ByteBuffer {
        var bytes: [UInt8] = Array("data: ".utf8)
        bytes.reserveCapacity(256)
        value.write(into: &bytes)
        bytes.append(contentsOf: [UInt8(ascii: "\n"), UInt8(ascii: "\n")])
        return ByteBuffer(bytes: bytes)
    }
}
