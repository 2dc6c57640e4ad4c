import ServingEngine

/// The request fields of OpenAI's Chat Completions API, for providers set to drop the rest
/// (`drop_unknown_fields`) and for the response header that says what was dropped.
enum OpenAIChatFields {
    static let known: Set<String> = [
        "model", "messages", "stream", "stream_options", "temperature", "top_p", "n", "stop", "max_tokens", "max_completion_tokens",
        "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed", "user", "metadata", "store",
        "tools", "tool_choice", "parallel_tool_calls", "functions", "function_call", "response_format", "reasoning_effort",
        "service_tier", "modalities", "audio", "prediction", "web_search_options", "verbosity", "safety_identifier", "prompt_cache_key",
    ]

    /// The fields of `parameters` that are not in the API, in order.
    static func unknown(in parameters: JSONObject) -> [String] {
        parameters.keys.filter { !known.contains($0) }
    }
}
