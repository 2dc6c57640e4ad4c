import Foundation
import NIOCore
import ServingEngine

/// The `remote` embedder: any OpenAI-compatible `POST <base_url>/embeddings` endpoint, over the
/// gateway's shared upstream transport.
///
/// It enforces its own timeout (the whole call, connect to last byte), checks the answer (status
/// 200, `data[0].embedding` a list of exactly ``dimensions`` finite numbers, not all zero),
/// L2-normalises it, and otherwise throws a ``RemoteEmbedderError`` that says what was wrong.
/// The engine treats any failure as a cache miss and counts it; it never stalls a request.
final class RemoteEmbedder: Embedder {
    let name: String
    let dimensions: Int
    let timeout: Duration?
    private let limit: Duration
    private let endpoint: String
    private let model: String
    private let apiKey: String?
    private let transport: any UpstreamTransport

    init(configuration: EmbedderConfiguration.Remote, apiKey: String?, transport: any UpstreamTransport) {
        // The model is part of the name so that a cache file written with another model's
        // vectors is set aside rather than searched.
        name = "remote:\(configuration.model)"
        dimensions = configuration.dimensions
        limit = configuration.timeout
        timeout = configuration.timeout
        endpoint = OpenAICompatibleProvider.join(configuration.baseURL, "embeddings")
        model = configuration.model
        self.apiKey = apiKey
        self.transport = transport
    }

    func embed(_ text: String) async throws -> [Float] {
        let limit = limit
        return try await withThrowingTaskGroup(of: [Float].self) { group in
            group.addTask { try await self.call(text) }
            group.addTask {
                try await Task.sleep(for: limit)
                throw RemoteEmbedderError("the embeddings endpoint \(self.endpoint) did not answer within \(Int(limit.milliseconds.rounded())) ms (cache.remote_embedder.timeout_ms)")
            }
            defer { group.cancelAll() }
            guard let vector = try await group.next() else { throw CancellationError() }
            return vector
        }
    }

    private func call(_ text: String) async throws -> [Float] {
        var headers = [("content-type", "application/json")]
        if let apiKey { headers.append(("authorization", "Bearer \(apiKey)")) }
        let body = try JSONSerialization.data(withJSONObject: ["model": model, "input": text])
        let request = UpstreamRequest(method: .post, url: endpoint, headers: headers, body: Array(body))
        let bytes: ByteBuffer
        let status: Int
        do {
            let response = try await transport.execute(request, timeout: limit)
            status = response.status
            // A float prints in at most ~16 bytes; anything much bigger is not our answer.
            bytes = try await response.body.collect(upTo: 64 * 1024 + dimensions * 32)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw RemoteEmbedderError("cannot reach the embeddings endpoint \(endpoint): \(UpstreamStatus.excerpt(String(describing: error), redacting: apiKey))")
        }
        guard status == 200 else {
            throw RemoteEmbedderError("the embeddings endpoint \(endpoint) answered HTTP \(status): \(UpstreamStatus.excerpt(String(buffer: bytes), redacting: apiKey))")
        }
        return try Self.vector(from: Data(buffer: bytes), dimensions: dimensions, endpoint: endpoint)
    }

    /// The unit vector in an OpenAI embeddings response, or an error naming what is wrong.
    static func vector(from data: Data, dimensions: Int, endpoint: String) throws -> [Float] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw RemoteEmbedderError("the embeddings endpoint \(endpoint) answered with a body that is not a JSON object")
        }
        guard let items = object["data"] as? [[String: Any]], let first = items.first, let numbers = first["embedding"] as? [Any] else {
            throw RemoteEmbedderError("the embeddings endpoint \(endpoint) answered without data[0].embedding (a list of numbers)")
        }
        guard numbers.count == dimensions else {
            throw RemoteEmbedderError("the embeddings endpoint \(endpoint) returned \(numbers.count) dimensions, the configuration says \(dimensions) (cache.remote_embedder.dimensions)")
        }
        var vector = [Float](repeating: 0, count: dimensions)
        var squares: Double = 0
        for (index, number) in numbers.enumerated() {
            guard let value = (number as? NSNumber)?.doubleValue, value.isFinite else {
                throw RemoteEmbedderError("the embeddings endpoint \(endpoint) returned a non-finite or non-numeric component at index \(index)")
            }
            vector[index] = Float(value)
            squares += value * value
        }
        guard squares > 0, squares.isFinite else {
            throw RemoteEmbedderError("the embeddings endpoint \(endpoint) returned a zero vector, which cannot be compared")
        }
        let scale = Float(1 / squares.squareRoot())
        for index in vector.indices { vector[index] *= scale }
        return vector
    }
}

/// Why the `remote` embedder could not embed a text (unreachable, slow, or a malformed answer).
package struct RemoteEmbedderError: Error, Sendable, CustomStringConvertible {
    /// What was wrong, naming the endpoint and the configuration key to check.
    package var message: String

    init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
