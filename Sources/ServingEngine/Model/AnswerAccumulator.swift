/// Builds the finished choices of an answer from its streamed pieces, as a client reassembling a
/// stream would: text and refusal concatenated, tool-call arguments joined by call index, log
/// probabilities appended, string fields of vendor extras concatenated.
///
/// Pure and order-preserving; the engine uses it for non-streamed answers and to store answers in
/// the cache, and ``pieces(of:)`` turns the choices back into the pieces a replay streams.
public struct AnswerAccumulator: Sendable {
    private struct Building: Sendable {
        var content: String?
        var refusal: String?
        var toolCalls: [Int: ToolCall] = [:]
        var functionCall: FunctionCall?
        var logprobs: JSONObject?
        var finishReason: FinishReason?
        var extra = JSONObject()
    }

    private var building: [Int: Building] = [:]

    /// An empty answer.
    public init() {}

    /// Adds answer text to choice 0.
    public mutating func add(text: String) {
        building[0, default: Building()].content = (building[0]?.content ?? "") + text
    }

    /// Adds one streamed piece.
    public mutating func add(_ delta: ChoiceDelta) {
        var choice = building[delta.index, default: Building()]
        if let content = delta.content { choice.content = (choice.content ?? "") + content }
        if let refusal = delta.refusal { choice.refusal = (choice.refusal ?? "") + refusal }
        for fragment in delta.toolCalls {
            var call = choice.toolCalls[fragment.index] ?? ToolCall(id: "", name: "", arguments: "")
            if let id = fragment.id, call.id.isEmpty { call.id = id }
            if let type = fragment.type { call.type = type }
            if let name = fragment.name, call.name.isEmpty { call.name = name }
            if let arguments = fragment.arguments { call.arguments += arguments }
            choice.toolCalls[fragment.index] = call
        }
        if let fragment = delta.functionCall {
            var call = choice.functionCall ?? FunctionCall(name: "", arguments: "")
            if let name = fragment.name, call.name.isEmpty { call.name = name }
            if let arguments = fragment.arguments { call.arguments += arguments }
            choice.functionCall = call
        }
        if let logprobs = delta.logprobs?.objectValue {
            var merged = choice.logprobs ?? JSONObject()
            for (key, value) in logprobs {
                if case .array(let items) = value, case .array(let earlier)? = merged[key] {
                    merged[key] = .array(earlier + items)
                } else if !value.isNull || merged[key] == nil {
                    merged[key] = value
                }
            }
            choice.logprobs = merged
        }
        for (key, value) in delta.extra {
            if case .string(let piece) = value, case .string(let earlier)? = choice.extra[key] {
                choice.extra[key] = .string(earlier + piece)
            } else {
                choice.extra[key] = value
            }
        }
        if let reason = delta.finishReason { choice.finishReason = reason }
        building[delta.index] = choice
    }

    /// The text of choice 0 so far.
    public var text: String {
        building[0]?.content ?? ""
    }

    /// The finished choices in index order; a choice with no finish reason of its own ends with
    /// `finish` (the stream's overall reason). An answer with no pieces at all is one empty text.
    public func choices(finish: FinishReason) -> [AnswerChoice] {
        guard !building.isEmpty else { return [AnswerChoice(content: "", finishReason: finish)] }
        return building.keys.sorted().map { index in
            let choice = building[index]!
            let calls = choice.toolCalls.keys.sorted().map { choice.toolCalls[$0]! }
            let content = choice.content ?? (calls.isEmpty && choice.functionCall == nil && choice.refusal == nil ? "" : nil)
            return AnswerChoice(
                index: index, content: content, refusal: choice.refusal, toolCalls: calls, functionCall: choice.functionCall,
                logprobs: choice.logprobs.map(JSONValue.object), finishReason: choice.finishReason ?? finish, extra: choice.extra
            )
        }
    }

    /// The pieces that stream `choices` again: per choice its text in word-sized pieces, then its
    /// refusal, tool calls (one piece each, whole), log probabilities and finish reason.
    public static func pieces(of choices: [AnswerChoice]) -> [ChoiceDelta] {
        var pieces: [ChoiceDelta] = []
        for choice in choices {
            if !choice.extra.isEmpty { pieces.append(ChoiceDelta(index: choice.index, extra: choice.extra)) }
            for word in words(of: choice.content ?? "") { pieces.append(ChoiceDelta(index: choice.index, content: word)) }
            if let refusal = choice.refusal { pieces.append(ChoiceDelta(index: choice.index, refusal: refusal)) }
            for (position, call) in choice.toolCalls.enumerated() {
                pieces.append(ChoiceDelta(index: choice.index, toolCalls: [ToolCallDelta(index: position, id: call.id, type: call.type, name: call.name, arguments: call.arguments)]))
            }
            if let call = choice.functionCall {
                pieces.append(ChoiceDelta(index: choice.index, functionCall: FunctionCallDelta(name: call.name, arguments: call.arguments)))
            }
            if let logprobs = choice.logprobs { pieces.append(ChoiceDelta(index: choice.index, logprobs: logprobs)) }
            pieces.append(ChoiceDelta(index: choice.index, finishReason: choice.finishReason))
        }
        return pieces
    }

    /// Splits text into word-sized pieces, as a provider would have streamed it.
    public static func words(of text: String) -> [String] {
        var chunks: [String] = []
        var current = ""
        for character in text {
            if character == " ", !current.isEmpty, current != " " {
                chunks.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }
}
