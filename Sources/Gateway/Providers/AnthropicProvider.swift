import AsyncHTTPClient
import ServingEngine

/// A provider over Anthropic's Messages API, translated both ways: the request by
/// ``AnthropicRequestMapping`` (which refuses, with a 400 naming the field, what the API cannot
/// carry), the streamed events by ``AnthropicStreamTranslator`` (text, tool calls, thinking, stop
/// reasons, usage with cache tokens).
final class AnthropicProvider: ModelProvider {
    let name: String
    let model: String
    private let endpoint: String
    private let apiKey: String?
    private let mapping: AnthropicRequestMapping
    private let call: UpstreamCall

    /// The API version header sent with every request.
    static let apiVersion = "2023-06-01"

    init(configuration: ProviderConfiguration, baseURL: String, apiKey: String?, client: HTTPClient, maxResponseBytes: Int) {
        name = configuration.name
        model = configuration.model
        endpoint = OpenAICompatibleProvider.join(baseURL, "messages")
        self.apiKey = apiKey
        mapping = AnthropicRequestMapping(provider: configuration.name, model: configuration.model, defaultMaxTokens: configuration.defaultMaxTokens)
        call = UpstreamCall(client: client, provider: configuration.name, secret: apiKey, maxResponseBytes: maxResponseBytes)
    }

    func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
        .producing { continuation in try await self.answer(request) { continuation.yield($0) } }
    }

    func answer(_ request: ProviderRequest, receive: (ProviderChunk) throws -> Void) async throws {
        let body = try mapping.body(for: request)
        var headers = [("anthropic-version", Self.apiVersion), ("accept", "text/event-stream")]
        if let apiKey { headers.append(("x-api-key", apiKey)) }
        let response = try await call.post(endpoint, headers: headers, body: body)
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
