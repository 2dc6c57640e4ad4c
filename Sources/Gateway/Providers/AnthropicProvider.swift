import ServingEngine

/// A provider over Anthropic's Messages API, translated both ways: the request by
/// ``AnthropicRequestMapping`` (which refuses, with a 400 naming the field, what the API cannot
/// carry), the streamed events by ``AnthropicStreamTranslator`` (text, tool calls, thinking, stop
/// reasons, usage with cache tokens).
final class AnthropicProvider: ModelProvider {
    let name: String
    let model: String
    private let endpoint: String
    private let headers: [(String, String)]
    private let mapping: AnthropicRequestMapping
    private let call: UpstreamCall

    /// The API version header sent with every request.
    static let apiVersion = "2023-06-01"

    /// The headers of every request: the API version, and the key as `x-api-key`.
    static func headers(apiKey: String?) -> [(String, String)] {
        var headers = [("anthropic-version", apiVersion)]
        if let apiKey { headers.append(("x-api-key", apiKey)) }
        return headers
    }

    init(configuration: ProviderConfiguration, endpoint: HTTPEndpoint) {
        name = configuration.name
        model = configuration.model
        self.endpoint = OpenAICompatibleProvider.join(endpoint.baseURL, "messages")
        headers = endpoint.headers
        mapping = AnthropicRequestMapping(provider: configuration.name, model: configuration.model, defaultMaxTokens: configuration.defaultMaxTokens)
        call = UpstreamCall(transport: endpoint.transport, provider: configuration.name, secret: endpoint.apiKey, maxResponseBytes: endpoint.maxResponseBytes)
    }

    func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
        .producing { continuation in try await self.answer(request) { continuation.yield($0) } }
    }

    func answer(_ request: ProviderRequest, receive: (ProviderChunk) throws -> Void) async throws {
        let body = try mapping.body(for: request)
        let response = try await call.post(endpoint, headers: headers + [("accept", "text/event-stream")], body: body)
        var translator = AnthropicStreamTranslator(provider: name)
        try await call.events(of: response) { event in
            let object = try call.object(event.data)
            switch try translator.handle(object, name: event.name) {
            case .emit(let chunks):
                for chunk in chunks { try receive(chunk) }
                return true
            case .stop:
                return false
            }
        }
        try receive(try translator.finish())
    }
}

extension HTTPProviderKind {
    /// `kind: anthropic`.
    static let anthropic = HTTPProviderKind(kind: .anthropic, headers: AnthropicProvider.headers(apiKey:)) { AnthropicProvider(configuration: $0, endpoint: $1) }
}
