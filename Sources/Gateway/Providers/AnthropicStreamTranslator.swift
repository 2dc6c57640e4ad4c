import ServingEngine

/// Turns the Messages API's streamed events into the engine's chunks, in order: `text_delta` as
/// text, a `tool_use` block's start and its `input_json_delta` fragments as tool-call deltas (the
/// calls numbered in the order they open), `thinking_delta` as `reasoning_content`, and the stop
/// reason and usage (with cache reads and writes in `prompt_tokens_details`) at the end.
///
/// Pure: it holds the stream's state and does no I/O, so it is tested on event sequences alone.
struct AnthropicStreamTranslator {
    /// What the caller should do after an event.
    enum Step: Equatable {
        case emit([ProviderChunk])
        case stop
    }

    let provider: String
    private var toolIndexByBlock: [Int: Int] = [:]
    private var inputTokens = 0
    private var cacheReadTokens = 0
    private var cacheCreationTokens = 0
    private var outputTokens = 0
    private var sawUsage = false
    private(set) var stopReason: FinishReason?
    private(set) var stopped = false

    init(provider: String) {
        self.provider = provider
    }

    /// Maps an Anthropic `stop_reason` to a finish reason: `end_turn`/`stop_sequence` → `stop`,
    /// `max_tokens` and `model_context_window_exceeded` → `length`, `tool_use` → `tool_calls`,
    /// `refusal` → `content_filter`; others (`pause_turn`) pass on as they are.
    static func finishReason(_ text: String) -> FinishReason {
        switch text {
        case "end_turn", "stop_sequence": .stop
        case "max_tokens", "model_context_window_exceeded": .length
        case "tool_use": .toolCalls
        case "refusal": .contentFilter
        default: FinishReason(rawValue: text)
        }
    }

    mutating func handle(_ object: JSONValue, name: String?) throws(ProviderFailure) -> Step {
        let type = object["type"]?.stringValue ?? name ?? ""
        switch type {
        case "message_start":
            let usage = object["message"]?["usage"]
            read(usage)
            return .emit([])
        case "content_block_start":
            guard let block = object["content_block"], block["type"]?.stringValue == "tool_use" else { return .emit([]) }
            let blockIndex = object["index"]?.intValue ?? toolIndexByBlock.count
            let toolIndex = toolIndexByBlock.count
            toolIndexByBlock[blockIndex] = toolIndex
            let call = ToolCallDelta(index: toolIndex, id: block["id"]?.stringValue, type: "function", name: block["name"]?.stringValue, arguments: "")
            return .emit([.delta(ChoiceDelta(toolCalls: [call]))])
        case "content_block_delta":
            guard let delta = object["delta"] else { return .emit([]) }
            switch delta["type"]?.stringValue {
            case "text_delta":
                guard let text = delta["text"]?.stringValue, !text.isEmpty else { return .emit([]) }
                return .emit([.text(text)])
            case "input_json_delta":
                let blockIndex = object["index"]?.intValue ?? -1
                guard let toolIndex = toolIndexByBlock[blockIndex] else {
                    throw ProviderFailure(.badResponse, "\(provider) sent tool input for block \(blockIndex), which is not a tool_use block")
                }
                let fragment = delta["partial_json"]?.stringValue ?? ""
                guard !fragment.isEmpty else { return .emit([]) }
                return .emit([.delta(ChoiceDelta(toolCalls: [ToolCallDelta(index: toolIndex, arguments: fragment)]))])
            case "thinking_delta":
                guard let text = delta["thinking"]?.stringValue, !text.isEmpty else { return .emit([]) }
                return .emit([.delta(ChoiceDelta(extra: ["reasoning_content": .string(text)]))])
            default:
                return .emit([])  // signature_delta, citations_delta…
            }
        case "message_delta":
            if let reason = object["delta"]?["stop_reason"]?.stringValue { stopReason = Self.finishReason(reason) }
            read(object["usage"])
            return .emit([])
        case "message_stop":
            stopped = true
            return .stop
        case "error":
            let error = object["error"]
            let kind = error?["type"]?.stringValue ?? "error"
            let message = error?["message"]?.stringValue ?? ""
            let failureKind: ProviderFailure.Kind = switch kind {
            case "rate_limit_error": .rateLimited
            case "overloaded_error", "api_error": .serverError
            case "invalid_request_error": .requestRejected
            default: .serverError
            }
            throw ProviderFailure(failureKind, "\(provider) reported \(kind) mid-stream: \(message)")
        default:
            return .emit([])  // ping, content_block_stop
        }
    }

    private mutating func read(_ usage: JSONValue?) {
        guard let usage, usage.objectValue != nil else { return }
        sawUsage = true
        if let value = usage["input_tokens"]?.intValue { inputTokens = value }
        if let value = usage["cache_read_input_tokens"]?.intValue { cacheReadTokens = value }
        if let value = usage["cache_creation_input_tokens"]?.intValue { cacheCreationTokens = value }
        if let value = usage["output_tokens"]?.intValue { outputTokens = value }
    }

    /// The closing chunk, or the failure of a stream that ended before `message_stop`.
    func finish() throws(ProviderFailure) -> ProviderChunk {
        guard stopped || stopReason != nil else {
            throw ProviderFailure(.streamBroken, "\(provider)'s stream ended before message_stop")
        }
        guard sawUsage else { return .finished(stopReason ?? .stop, nil) }
        // OpenAI counts cached prompt tokens inside prompt_tokens; Anthropic counts them apart.
        var details: JSONObject = ["cached_tokens": .integer(Int64(cacheReadTokens))]
        if cacheCreationTokens > 0 { details["cache_creation_tokens"] = .integer(Int64(cacheCreationTokens)) }
        let usage = TokenUsage(promptTokens: inputTokens + cacheReadTokens + cacheCreationTokens, completionTokens: outputTokens, promptTokensDetails: details)
        return .finished(stopReason ?? .stop, usage)
    }
}
