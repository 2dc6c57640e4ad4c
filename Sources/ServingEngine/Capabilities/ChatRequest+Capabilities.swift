extension ChatRequest {
    /// What this request needs of a provider, each with the first field that needs it.
    public var capabilityNeeds: [CapabilityNeed] {
        var needs: [ProviderCapability: String] = [:]
        func need(_ capability: ProviderCapability, _ field: String) {
            if needs[capability] == nil { needs[capability] = field }
        }
        for key in ["tools", "functions"] where parameters[key]?.arrayValue?.isEmpty == false { need(.tools, key) }
        for (index, message) in messages.enumerated() {
            if message.role == .tool || message.role == .function { need(.tools, "messages[\(index)]") }
            if message.wire?["tool_calls"]?.arrayValue?.isEmpty == false { need(.tools, "messages[\(index)].tool_calls") }
            for (partIndex, part) in (message.contentParts ?? []).enumerated() {
                let field = "messages[\(index)].content[\(partIndex)]"
                switch part["type"]?.stringValue {
                case "image_url": need(.vision, field)
                case "input_audio": need(.audio, field)
                case "file": need(.files, field)
                default: break
                }
            }
        }
        switch parameters["response_format"]?["type"]?.stringValue {
        case "json_schema": need(.jsonSchema, "response_format")
        case "json_object": need(.jsonObject, "response_format")
        default: break
        }
        if parameters["logprobs"]?.boolValue == true { need(.logprobs, "logprobs") }
        if let n = parameters["n"]?.intValue, n > 1 { need(.multipleChoices, "n") }
        if parameters["modalities"]?.arrayValue?.contains(where: { $0.stringValue == "audio" }) == true || parameters["audio"] != nil { need(.audio, "audio") }
        return needs.sorted { $0.key < $1.key }.map { CapabilityNeed($0.key, field: $0.value) }
    }
}
