import AsyncHTTPClient
import Foundation
import ServingEngine

/// A provider over Anthropic's Messages API, translated both ways: system and developer messages
/// become the `system` prompt, turns alternate user/assistant, `stop_reason` maps to
/// ``FinishReason``, usage comes from `message_start` and `message_delta`, and the streaming
/// events (`content_block_delta`, `message_delta`, `message_stop`, `error`) become the engine's chunks.
final class AnthropicProvider: ModelProvider {
    let name: String
    let model: String
    private let endpoint: String
    private let apiKey: String?
    private let call: UpstreamCall

    /// The API version header sent with every request.
    static let apiVersion = "2023-06-01"
    /// `max_tokens` is required by the Messages API; used when the client sets none.
    static let defaultMaxTokens = 1024

    init(configuration: ProviderConfiguration, baseURL: String, apiKey: String?, client: HTTPClient, maxResponseBytes: Int) {
        name = configuration.name
        model = configuration.model
        endpoint = OpenAICompatibleProvider.join(baseURL, "messages")
        self.apiKey = apiKey
        call = UpstreamCall(client: client, provider: configuration.name, secret: apiKey, maxResponseBytes: maxResponseBytes)
    }

    func stream(_ request: ProviderRequest) -> AsyncThrowingStream<ProviderChunk, any Error> {
        .producing { continuation in try await self.run(request, continuation) }
    }

    /// The Messages API body for `request`.
    static func body(for request: ProviderRequest, model: String) -> [String: Any] {
        let system = request.messages.filter { $0.role == .system || $0.role == .developer }.map(\.content).joined(separator: "\n\n")
        var turns: [(role: String, text: String)] = []
        for message in request.messages where message.role != .system && message.role != .developer {
            let role = message.role == .assistant ? "assistant" : "user"
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].text += "\n\n" + message.content
            } else {
                turns.append((role, message.content))
            }
        }
        // The conversation must start with a user turn.
        if turns.first?.role == "assistant" { turns.insert(("user", "(continue)"), at: 0) }
        var body: [String: Any] = [
            "model": model,
            "stream": true,
            "max_tokens": request.sampling.maxTokens ?? defaultMaxTokens,
            "messages": turns.map { ["role": $0.role, "content": $0.text] },
        ]
        if !system.isEmpty { body["system"] = system }
        if let temperature = request.sampling.temperature { body["temperature"] = min(1, temperature) }
        if let topP = request.sampling.topP { body["top_p"] = topP }
        if !request.sampling.stop.isEmpty { body["stop_sequences"] = request.sampling.stop }
        return body
    }

    private func run(_ request: ProviderRequest, _ continuation: AsyncThrowingStream<ProviderChunk, any Error>.Continuation) async throws {
        var headers = [("anthropic-version", Self.apiVersion), ("accept", "text/event-stream")]
        if let apiKey { headers.append(("x-api-key", apiKey)) }
        let response = try await call.post(endpoint, headers: headers, body: Self.body(for: request, model: model))
        var promptTokens: Int?
        var completionTokens: Int?
        var stopReason: FinishReason?
        var stopped = false
        try await call.events(of: response) { event in
            let object = try call.object(event.data)
            let type = (object["type"] as? String) ?? event.name ?? ""
            switch type {
            case "message_start":
                let usage = (object["message"] as? [String: Any])?["usage"] as? [String: Any]
                promptTokens = (usage?["input_tokens"] as? NSNumber)?.intValue
                completionTokens = (usage?["output_tokens"] as? NSNumber)?.intValue
            case "content_block_delta":
                if let delta = object["delta"] as? [String: Any], delta["type"] as? String == "text_delta", let text = delta["text"] as? String, !text.isEmpty {
                    continuation.yield(.text(text))
                }
            case "message_delta":
                if let delta = object["delta"] as? [String: Any], let reason = delta["stop_reason"] as? String {
                    stopReason = Self.finishReason(reason)
                }
                if let usage = object["usage"] as? [String: Any], let output = (usage["output_tokens"] as? NSNumber)?.intValue {
                    completionTokens = output
                }
            case "message_stop":
                stopped = true
                return false
            case "error":
                let error = object["error"] as? [String: Any]
                let kind = error?["type"] as? String ?? "error"
                let message = UpstreamStatus.excerpt(error?["message"] as? String ?? "", redacting: apiKey)
                throw ProviderFailure(kind == "rate_limit_error" ? .rateLimited : .serverError, "\(name) reported \(kind) mid-stream: \(message)")
            default:
                break  // ping, content_block_start, content_block_stop
            }
            return true
        }
        guard stopped || stopReason != nil else {
            throw ProviderFailure(.streamBroken, "\(name)'s stream ended before message_stop")
        }
        let usage = promptTokens.map { TokenUsage(promptTokens: $0, completionTokens: completionTokens ?? 0) }
        continuation.yield(.finished(stopReason ?? .stop, usage))
    }

    static func finishReason(_ text: String) -> FinishReason {
        switch text {
        case "max_tokens": .length
        case "tool_use": .toolCalls
        case "refusal": .contentFilter
        default: .stop  // end_turn, stop_sequence, pause_turn
        }
    }
}
