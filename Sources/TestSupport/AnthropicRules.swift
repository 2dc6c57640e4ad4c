import Foundation

/// What Anthropic's Messages API refuses, as the fake checks it: the problem with a request, or nil.
enum AnthropicRules {
    static let blockTypes: Set<String> = ["text", "image", "document", "tool_use", "tool_result"]

    static func problem(_ body: [String: Any]) -> String? {
        guard body["max_tokens"] is Int else { return "max_tokens: Field required" }
        if body["temperature"] != nil, body["top_p"] != nil {
            return "`temperature` and `top_p` cannot both be specified for this model. Please use only one."
        }
        if let temperature = body["temperature"] as? Double, temperature > 1 { return "temperature: Input should be less than or equal to 1" }
        if let stops = body["stop_sequences"] as? [String], stops.contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            return "stop_sequences: each stop sequence must contain non-whitespace"
        }
        for key in ["logit_bias", "n", "logprobs", "seed", "response_format", "functions", "stream_options", "max_completion_tokens"] where body[key] != nil {
            return "\(key): Extra inputs are not permitted"
        }
        guard let messages = body["messages"] as? [[String: Any]], !messages.isEmpty else { return "messages: at least one message is required" }
        if messages.first?["role"] as? String != "user" { return "messages: first message must use the \"user\" role" }
        for (index, message) in messages.enumerated() {
            guard let role = message["role"] as? String, role == "user" || role == "assistant" else { return "messages.\(index).role: Input should be 'user' or 'assistant'" }
            if index > 0, messages[index - 1]["role"] as? String == role { return "messages: roles must alternate between \"user\" and \"assistant\"" }
            if let text = message["content"] as? String {
                if text.isEmpty { return "messages.\(index): all messages must have non-empty content" }
                continue
            }
            guard let blocks = message["content"] as? [[String: Any]], !blocks.isEmpty else { return "messages.\(index): all messages must have non-empty content" }
            for (position, block) in blocks.enumerated() {
                guard let type = block["type"] as? String, blockTypes.contains(type) else {
                    return "messages.\(index).content.\(position).type: Input tag '\(block["type"] ?? "")' found using 'type' does not match any of the expected tags"
                }
                if type == "text", (block["text"] as? String ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    return "messages.\(index).content.\(position): text content blocks must contain non-whitespace text"
                }
                if type == "tool_use", !(block["input"] is [String: Any]) { return "messages.\(index).content.\(position).input: Input should be a valid dictionary" }
            }
        }
        return nil
    }
}
