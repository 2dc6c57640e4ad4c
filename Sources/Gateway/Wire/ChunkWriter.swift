import Foundation
import NIOCore
import ServingEngine

/// Encodes the server-sent events of a streamed chat completion.
struct ChunkWriter: Sendable {
    var id: String
    var model: String
    var created: Int

    /// The last event of a complete stream.
    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    func chunk(role: String? = nil, content: String? = nil, finishReason: String? = nil) -> ByteBuffer {
        event(ChatCompletionChunkBody(id: id, created: created, model: model, choices: [.init(delta: .init(role: role, content: content), finishReason: finishReason)]))
    }

    func usageChunk(_ usage: TokenUsage) -> ByteBuffer {
        event(ChatCompletionChunkBody(id: id, created: created, model: model, choices: [], usage: UsageBody(usage)))
    }

    func error(_ error: APIError) -> ByteBuffer {
        event(error.body)
    }

    private func event(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes((try? encoder.encode(value)) ?? Data("{}".utf8))
        buffer.writeString("\n\n")
        return buffer
    }
}
