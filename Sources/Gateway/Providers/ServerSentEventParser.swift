/// A server-sent events decoder: bytes in, complete events out. No I/O, so it is tested on its own.
///
/// Follows the WHATWG rules that matter for model APIs: events end at a blank line; `data:` lines
/// accumulate (joined by newlines); `event:` names the event; lines starting with `:` are
/// comments (keep-alives); `\n`, `\r\n` and `\r` all end lines; one leading space after the colon
/// is dropped. Bytes of an unfinished event are kept until more arrive or ``finish()``.
struct ServerSentEventParser {
    /// One event.
    struct Event: Sendable, Hashable {
        var name: String?
        var data: String
    }

    private var line: [UInt8] = []
    private var data: [String] = []
    private var name: String?
    private var hasData = false
    private var lastWasCR = false
    /// Bytes seen that have not yet completed an event.
    private(set) var hasPartialEvent = false

    /// Feeds bytes and returns the events they complete.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n"), lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = byte == UInt8(ascii: "\r")
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
                hasPartialEvent = true
            }
        }
        return events
    }

    /// Ends the input: returns a last event if its lines were complete but the blank line never came.
    mutating func finish() -> Event? {
        if !line.isEmpty { _ = endLine() }
        defer { hasPartialEvent = false }
        guard hasData else { return nil }
        return dispatch()
    }

    private mutating func endLine() -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            hasPartialEvent = false
            return hasData ? dispatch() : { name = nil; return nil }()
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "data":
            data.append(String(value))
            hasData = true
        case "event":
            name = String(value)
        default:
            break
        }
        return nil
    }

    private mutating func dispatch() -> Event {
        let event = Event(name: name, data: data.joined(separator: "\n"))
        data.removeAll(keepingCapacity: true)
        name = nil
        hasData = false
        return event
    }
}
