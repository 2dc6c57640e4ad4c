import ServingEngine

/// Turns the engine's streamed answer into the Responses API's typed events, in the order the
/// official SDK expects: `response.created` and `response.in_progress`; for text,
/// `response.output_item.added`, `response.content_part.added`, `response.output_text.delta`…,
/// `response.output_text.done`, `response.content_part.done`, `response.output_item.done`; for each
/// function call, `response.output_item.added`, `response.function_call_arguments.delta`…,
/// `response.function_call_arguments.done`, `response.output_item.done`; then `response.completed`
/// (or `response.incomplete`). Every event carries a `sequence_number`.
///
/// Pure: it returns the events to send and does no I/O.
struct ResponsesStreamWriter {
    let id: String
    let model: String
    let createdAt: Int
    let echo: JSONObject
    private var sequence = 0
    private var output: [JSONObject] = []
    /// The item being written: a message (its text so far) or a function call.
    private var openMessage: (index: Int, text: String, refusal: String?)?
    private var openCall: (index: Int, toolIndex: Int, call: ToolCall)?

    init(id: String, model: String, createdAt: Int, echo: JSONObject) {
        self.id = id
        self.model = model
        self.createdAt = createdAt
        self.echo = echo
    }

    private var baseID: String { String(id.dropFirst(5)) }

    private mutating func event(_ type: String, _ fields: JSONObject) -> (String, JSONObject) {
        var body: JSONObject = ["type": .string(type), "sequence_number": .integer(Int64(sequence))]
        for (key, value) in fields { body[key] = value }
        sequence += 1
        return (type, body)
    }

    /// The opening events.
    mutating func start() -> [(String, JSONObject)] {
        let snapshot = ResponsesWire.response(id: id, model: model, createdAt: createdAt, output: [], finish: nil, usage: nil, echo: echo)
        return [event("response.created", ["response": .object(snapshot)]), event("response.in_progress", ["response": .object(snapshot)])]
    }

    /// Events for more answer text.
    mutating func text(_ piece: String) -> [(String, JSONObject)] {
        var events = closeCall()
        if openMessage == nil { events += openMessageItem() }
        guard let message = openMessage else { return events }
        openMessage?.text += piece
        events.append(event("response.output_text.delta", ["item_id": .string("msg_\(baseID)"), "output_index": .integer(Int64(message.index)), "content_index": 0, "delta": .string(piece), "logprobs": []]))
        return events
    }

    /// Events for a piece of choice 0 (text, refusal, tool-call fragments); other choices have no
    /// place in a response.
    mutating func delta(_ delta: ChoiceDelta) -> [(String, JSONObject)] {
        guard delta.index == 0 else { return [] }
        var events: [(String, JSONObject)] = []
        if let content = delta.content, !content.isEmpty { events += text(content) }
        if let refusal = delta.refusal {
            events += closeCall()
            if openMessage == nil { events += openMessageItem() }
            let earlier = openMessage?.refusal ?? ""
            openMessage?.refusal = earlier + refusal
            events.append(event("response.refusal.delta", ["item_id": .string("msg_\(baseID)"), "output_index": .integer(Int64(openMessage?.index ?? 0)), "content_index": 0, "delta": .string(refusal)]))
        }
        for fragment in delta.toolCalls {
            if openCall?.toolIndex != fragment.index {
                events += closeMessage()
                events += closeCall()
                let call = ToolCall(id: fragment.id ?? "call_\(baseID)_\(fragment.index)", name: fragment.name ?? "", arguments: "")
                let index = output.count
                openCall = (index, fragment.index, call)
                output.append([:])
                events.append(event("response.output_item.added", ["output_index": .integer(Int64(index)), "item": .object(ResponsesWire.functionCallItem(id: callItemID(fragment.index), call: call, status: "in_progress"))]))
            }
            if let name = fragment.name, openCall?.call.name.isEmpty == true { openCall?.call.name = name }
            if let arguments = fragment.arguments, !arguments.isEmpty, let open = openCall {
                openCall?.call.arguments += arguments
                events.append(event("response.function_call_arguments.delta", ["item_id": .string(callItemID(open.toolIndex)), "output_index": .integer(Int64(open.index)), "delta": .string(arguments)]))
            }
        }
        return events
    }

    /// The closing events, with the finish reason and usage.
    mutating func finish(_ reason: FinishReason, usage: TokenUsage) -> [(String, JSONObject)] {
        var events = closeMessage() + closeCall()
        if output.isEmpty {
            // An answer with no text at all still has its (empty) message.
            events += openMessageItem()
            events += closeMessage()
        }
        let body = ResponsesWire.response(id: id, model: model, createdAt: createdAt, output: output, finish: reason, usage: usage, echo: echo)
        let type = ResponsesWire.status(reason).0 == "completed" ? "response.completed" : "response.incomplete"
        events.append(event(type, ["response": .object(body)]))
        return events
    }

    /// A `response.failed` event for an answer that broke off.
    mutating func failed(_ error: APIError) -> [(String, JSONObject)] {
        var body = ResponsesWire.response(id: id, model: model, createdAt: createdAt, output: output.filter { !$0.isEmpty }, finish: .stop, usage: nil, echo: echo)
        body["status"] = "failed"
        body["error"] = ["code": .string(error.code ?? "server_error"), "message": .string(error.message)]
        return [event("response.failed", ["response": .object(body)])]
    }

    private func callItemID(_ toolIndex: Int) -> String {
        "fc_\(baseID)_\(toolIndex)"
    }

    private mutating func openMessageItem() -> [(String, JSONObject)] {
        let index = output.count
        openMessage = (index, "", nil)
        output.append([:])
        let item = ResponsesWire.messageItem(id: "msg_\(baseID)", text: nil, refusal: nil, status: "in_progress")
        return [
            event("response.output_item.added", ["output_index": .integer(Int64(index)), "item": .object(item)]),
            event("response.content_part.added", ["item_id": .string("msg_\(baseID)"), "output_index": .integer(Int64(index)), "content_index": 0, "part": ["type": "output_text", "text": "", "annotations": []]]),
        ]
    }

    private mutating func closeMessage() -> [(String, JSONObject)] {
        guard let message = openMessage else { return [] }
        openMessage = nil
        let itemID: JSONValue = .string("msg_\(baseID)")
        let index: JSONValue = .integer(Int64(message.index))
        let item = ResponsesWire.messageItem(id: "msg_\(baseID)", text: message.refusal == nil || !message.text.isEmpty ? message.text : nil, refusal: message.refusal, status: "completed")
        output[message.index] = item
        var events: [(String, JSONObject)] = []
        events.append(event("response.output_text.done", ["item_id": itemID, "output_index": index, "content_index": 0, "text": .string(message.text), "logprobs": []]))
        events.append(event("response.content_part.done", ["item_id": itemID, "output_index": index, "content_index": 0, "part": ["type": "output_text", "text": .string(message.text), "annotations": []]]))
        events.append(event("response.output_item.done", ["output_index": index, "item": .object(item)]))
        return events
    }

    private mutating func closeCall() -> [(String, JSONObject)] {
        guard let open = openCall else { return [] }
        openCall = nil
        let item = ResponsesWire.functionCallItem(id: callItemID(open.toolIndex), call: open.call, status: "completed")
        output[open.index] = item
        return [
            event("response.function_call_arguments.done", ["item_id": .string(callItemID(open.toolIndex)), "output_index": .integer(Int64(open.index)), "arguments": .string(open.call.arguments)]),
            event("response.output_item.done", ["output_index": .integer(Int64(open.index)), "item": .object(item)]),
        ]
    }
}
