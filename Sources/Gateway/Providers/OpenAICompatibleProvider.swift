import ServingEngine

/// A provider over any server that speaks the OpenAI chat completions API (OpenAI, vLLM,
/// llama.cpp's server, Ollama…), streamed token by token.
///
/// A proxy first: the client's messages and fields go upstream as sent (tools, response formats,
/// seeds, vendor fields), with only the model replaced by this provider's, `developer` turns sent
/// as `system` (many compatible servers do not know the role), and the stream asked for with usage.
/// Every piece of the answer comes back as sent: tool-call deltas, refusals, log probabilities,
/// each choice of `n`, `finish_reason`, usage with its details, and top-level fields such as
/// `system_fingerprint`. With `stream_upstream: when_client_streams`, a client that asked for no
/// stream gets one plain upstream call instead (its answer passed on as the same pieces).
///
/// Upstream statuses become ``ProviderFailure`` kinds (429 → `rateLimited` with `Retry-After`,
/// 5xx → `serverError`, 401/403/404 → `providerRejected`, 400/413/422 → `requestRejected` with the
/// upstream's error, unreachable → `connection`); a stream that is not valid SSE JSON is
/// `badResponse`, and one that ends before a `finish_reason` is `streamBroken`.
final class OpenAICompatibleProvider: ModelProvider {
    let name: String
    let model: String
    private let endpoint: String
    private let embeddingsEndpoint: String
    private let apiKey: String?
    private let headers: [(String, String)]
    private let dropUnknownFields: Bool
    private let streaming: ProviderConfiguration.UpstreamStreaming
    private let call: UpstreamCall

    /// The headers of every request: the key as a bearer token.
    static func headers(apiKey: String?) -> [(String, String)] {
        apiKey.map { [("authorization", "Bearer \($0)")] } ?? []
    }

    /// Creates the provider; it sends `endpoint`'s headers, so kinds that speak this API with
    /// other headers can build it too.
    init(configuration: ProviderConfiguration, endpoint: HTTPEndpoint) {
        name = configuration.name
        model = configuration.model
        self.endpoint = Self.join(endpoint.baseURL, "chat/completions")
        embeddingsEndpoint = Self.join(endpoint.baseURL, "embeddings")
        apiKey = endpoint.apiKey
        headers = endpoint.headers
        dropUnknownFields = configuration.dropUnknownFields
        streaming = configuration.upstreamStreaming
        call = UpstreamCall(transport: endpoint.transport, provider: configuration.name, secret: endpoint.apiKey, maxResponseBytes: endpoint.maxResponseBytes)
    }

    static func join(_ base: String, _ path: String) -> String {
        base.hasSuffix("/") ? base + path : base + "/" + path
    }

    func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
        .producing { continuation in try await self.answer(request) { continuation.yield($0) } }
    }

    /// The upstream body: the client's, with this provider's model and, when `stream`, a
    /// usage-reporting stream.
    static func body(for request: ProviderRequest, model: String, dropUnknownFields: Bool, stream: Bool = true) -> JSONObject {
        var body: JSONObject = ["model": .string(model)]
        body["messages"] = .array(request.messages.map { message in
            var wire = message.wireObject
            if message.role == .developer { wire["role"] = .string(ChatRole.system.rawValue) }
            return .object(wire)
        })
        let unknown = dropUnknownFields ? Set(OpenAIChatFields.unknown(in: request.parameters)) : []
        for (key, value) in request.parameters where !unknown.contains(key) && body[key] == nil { body[key] = value }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        return body
    }

    func answer(_ request: ProviderRequest, receive: (ProviderChunk) throws -> Void) async throws {
        let stream = request.clientStreams || streaming == .always
        let response = try await call.post(endpoint, headers: [("accept", stream ? "text/event-stream" : "application/json")] + headers, body: Self.body(for: request, model: model, dropUnknownFields: dropUnknownFields, stream: stream))
        if let type = response.headers.first(name: "content-type"), type.contains("application/json") {
            try Self.whole(try await call.json(of: response), provider: name, receive)
            return
        }
        var finish: FinishReason?
        var usage: TokenUsage?
        var fields = JSONObject()
        try await call.events(of: response) { event in
            if event.data == "[DONE]" { return false }
            let object = try call.object(event.data)
            if let error = object["error"] {
                throw ProviderFailure(.serverError, "\(name) reported an error mid-stream: \(UpstreamStatus.excerpt(error.jsonString, redacting: apiKey))")
            }
            let more = Self.responseFields(of: object)
            if more.contains(where: { fields[$0.key] != $0.value }) {
                for (key, value) in more { fields[key] = value }
                try receive(.responseFields(more))
            }
            switch object["choices"] {
            case .array(let choices)?:
                for (position, choice) in choices.enumerated() {
                    let delta = ChoiceDelta(wireChunkChoice: choice, position: position)
                    if delta.index == 0, let reason = delta.finishReason { finish = reason }
                    try Self.pass(delta, receive)
                }
            case nil, .null?:
                break
            default:
                throw ProviderFailure(.badResponse, "\(name) sent a chunk whose 'choices' is not a list")
            }
            if let counts = object["usage"] { usage = Self.usage(counts) ?? usage }
            return true
        }
        guard let finish else {
            throw ProviderFailure(.streamBroken, "\(name)'s stream ended before the answer finished (no finish_reason)")
        }
        try receive(.finished(finish, usage))
    }

    /// Passes a piece on: plain text of choice 0 as `.text`, anything else as it came.
    private static func pass(_ delta: ChoiceDelta, _ receive: (ProviderChunk) throws -> Void) throws {
        let plain = delta.index == 0 && delta.refusal == nil && delta.toolCalls.isEmpty && delta.functionCall == nil && delta.logprobs == nil
            && delta.finishReason == nil && delta.extra.isEmpty
        if plain {
            if let text = delta.content, !text.isEmpty { try receive(.text(text)) }
        } else {
            try receive(.delta(delta))
        }
    }

    /// A non-streamed `chat.completion` object, passed on as the pieces that would have streamed it.
    private static func whole(_ object: JSONValue, provider: String, _ receive: (ProviderChunk) throws -> Void) throws {
        guard let list = object["choices"]?.arrayValue, !list.isEmpty else {
            throw ProviderFailure(.badResponse, "\(provider) answered without choices")
        }
        let choices = list.enumerated().compactMap { AnswerChoice(wireChoice: $1, position: $0) }
        guard choices.count == list.count else {
            throw ProviderFailure(.badResponse, "\(provider) answered with a choice that has no 'message'")
        }
        let fields = responseFields(of: object)
        if !fields.isEmpty { try receive(.responseFields(fields)) }
        for piece in AnswerAccumulator.pieces(of: choices) { try pass(piece, receive) }
        try receive(.finished(choices[0].finishReason, object["usage"].flatMap(usage)))
    }

    /// The response's top-level fields other than the ones every chunk has.
    static func responseFields(of object: JSONValue) -> JSONObject {
        var fields = JSONObject()
        for (key, value) in object.objectValue ?? JSONObject() where !["id", "object", "created", "model", "choices", "usage"].contains(key) {
            fields[key] = value
        }
        return fields
    }

    static func usage(_ counts: JSONValue) -> TokenUsage? {
        guard let prompt = counts["prompt_tokens"]?.intValue, let completion = counts["completion_tokens"]?.intValue else { return nil }
        return TokenUsage(
            promptTokens: prompt, completionTokens: completion,
            promptTokensDetails: counts["prompt_tokens_details"]?.objectValue, completionTokensDetails: counts["completion_tokens_details"]?.objectValue
        )
    }
}

extension OpenAICompatibleProvider: EmbeddingProvider {
    /// `POST <base_url>/embeddings` with the client's body and this provider's model; the answer
    /// passes back as sent.
    func embed(_ request: EmbeddingProviderRequest) async throws -> EmbeddingProviderResponse {
        var body: JSONObject = ["model": .string(model)]
        for (key, value) in request.parameters where body[key] == nil { body[key] = value }
        let response = try await call.post(embeddingsEndpoint, headers: [("accept", "application/json")] + headers, body: body)
        let object = try await call.json(of: response)
        guard let answer = object.objectValue, answer["data"]?.arrayValue != nil else {
            throw ProviderFailure(.badResponse, "\(name) answered the embeddings call without a 'data' list")
        }
        let prompt = object["usage"]?["prompt_tokens"]?.intValue ?? object["usage"]?["total_tokens"]?.intValue ?? 0
        return EmbeddingProviderResponse(body: answer, usage: TokenUsage(promptTokens: prompt, completionTokens: 0))
    }
}

extension HTTPProviderKind {
    /// `kind: openai-compatible`.
    static let openAICompatible = HTTPProviderKind(kind: .openAICompatible, headers: OpenAICompatibleProvider.headers(apiKey:)) {
        OpenAICompatibleProvider(configuration: $0, endpoint: $1)
    }
}
