import AsyncHTTPClient
import Foundation
import ServingEngine

/// A provider over any server that speaks the OpenAI chat completions API (OpenAI, vLLM,
/// llama.cpp's server, Ollama…), streamed token by token.
///
/// Upstream statuses become ``ProviderFailure`` kinds (429 → `rateLimited` with `Retry-After`,
/// 5xx → `serverError`, 401/403/404 → `providerRejected`, 400/413/422 → `requestRejected`,
/// unreachable → `connection`); a stream that is not valid SSE JSON is `badResponse`, and one that
/// ends before a `finish_reason` is `streamBroken`. Usage comes from the upstream when it sends it.
final class OpenAICompatibleProvider: ModelProvider {
    let name: String
    let model: String
    private let endpoint: String
    private let apiKey: String?
    private let call: UpstreamCall

    init(configuration: ProviderConfiguration, baseURL: String, apiKey: String?, client: HTTPClient, maxResponseBytes: Int) {
        name = configuration.name
        model = configuration.model
        endpoint = Self.join(baseURL, "chat/completions")
        self.apiKey = apiKey
        call = UpstreamCall(client: client, provider: configuration.name, secret: apiKey, maxResponseBytes: maxResponseBytes)
    }

    static func join(_ base: String, _ path: String) -> String {
        base.hasSuffix("/") ? base + path : base + "/" + path
    }

    func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
        .producing { continuation in try await self.run(request, continuation) }
    }

    private func body(for request: ProviderRequest) -> [String: Any] {
        var body: [String: Any] = [
            "model": model,
            "stream": true,
            "stream_options": ["include_usage": true],
            "messages": request.messages.map { message -> [String: Any] in
                // Many OpenAI-compatible servers do not know the newer `developer` role.
                ["role": message.role == .developer ? ChatRole.system.rawValue : message.role.rawValue, "content": message.content]
            },
        ]
        if let temperature = request.sampling.temperature { body["temperature"] = temperature }
        if let topP = request.sampling.topP { body["top_p"] = topP }
        if let maxTokens = request.sampling.maxTokens { body["max_tokens"] = maxTokens }
        if !request.sampling.stop.isEmpty { body["stop"] = request.sampling.stop }
        return body
    }

    private func run(_ request: ProviderRequest, _ continuation: AsyncThrowingStream<ProviderChunk, any Error>.Continuation) async throws {
        var headers = [("accept", "text/event-stream")]
        if let apiKey { headers.append(("authorization", "Bearer \(apiKey)")) }
        let response = try await call.post(endpoint, headers: headers, body: body(for: request))
        if let type = response.headers.first(name: "content-type"), type.contains("application/json") {
            try Self.whole(try await call.json(of: response), provider: name, continuation)
            return
        }
        var finish: FinishReason?
        var usage: TokenUsage?
        try await call.events(of: response) { event in
            if event.data == "[DONE]" { return false }
            let object = try call.object(event.data)
            if let error = object["error"] {
                throw ProviderFailure(.serverError, "\(name) reported an error mid-stream: \(UpstreamStatus.excerpt(String(describing: error), redacting: apiKey))")
            }
            if let choices = object["choices"] as? [[String: Any]], let choice = choices.first {
                if let delta = choice["delta"] as? [String: Any], let text = delta["content"] as? String, !text.isEmpty {
                    continuation.yield(.text(text))
                }
                if let reason = choice["finish_reason"] as? String { finish = Self.finishReason(reason) }
            } else if object["choices"] != nil, !(object["choices"] is [Any]) {
                throw ProviderFailure(.badResponse, "\(name) sent a chunk whose 'choices' is not a list")
            }
            if let counts = object["usage"] as? [String: Any] { usage = Self.usage(counts) }
            return true
        }
        guard let finish else {
            throw ProviderFailure(.streamBroken, "\(name)'s stream ended before the answer finished (no finish_reason)")
        }
        continuation.yield(.finished(finish, usage))
    }

    /// A non-streamed `chat.completion` object.
    private static func whole(_ object: [String: Any], provider: String, _ continuation: AsyncThrowingStream<ProviderChunk, any Error>.Continuation) throws {
        guard let choices = object["choices"] as? [[String: Any]], let choice = choices.first, let message = choice["message"] as? [String: Any] else {
            throw ProviderFailure(.badResponse, "\(provider) answered without choices[0].message")
        }
        if let text = message["content"] as? String, !text.isEmpty { continuation.yield(.text(text)) }
        let reason = (choice["finish_reason"] as? String).map(finishReason) ?? .stop
        continuation.yield(.finished(reason, (object["usage"] as? [String: Any]).flatMap(usage)))
    }

    static func finishReason(_ text: String) -> FinishReason {
        switch text {
        case "length": .length
        case "content_filter": .contentFilter
        case "tool_calls", "function_call": .toolCalls
        default: .stop
        }
    }

    static func usage(_ counts: [String: Any]) -> TokenUsage? {
        guard let prompt = (counts["prompt_tokens"] as? NSNumber)?.intValue, let completion = (counts["completion_tokens"] as? NSNumber)?.intValue else { return nil }
        return TokenUsage(promptTokens: prompt, completionTokens: completion)
    }
}
