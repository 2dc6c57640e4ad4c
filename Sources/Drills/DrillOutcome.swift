import Foundation

/// What one drill request saw from the client's side, before it is judged.
package struct DrillObservation: Sendable, Hashable {
    /// How the connection ended, when it did not end with a complete HTTP response.
    package enum Transport: Sendable, Hashable {
        /// A complete response arrived.
        case complete
        /// The connection was refused: nothing was listening.
        case refused
        /// The connection closed or broke before the response was complete.
        case broken(String)
        /// The client's deadline passed first.
        case timedOut
    }

    /// Whether the request asked for a stream.
    package var stream: Bool
    /// The HTTP status, if a response head arrived.
    package var status: Int?
    /// `x-switchboard-provider`, if present.
    package var provider: String?
    /// The body received (all of it, or what came before the break).
    package var body: String
    /// How it ended.
    package var transport: Transport

    /// Creates an observation.
    package init(stream: Bool, status: Int?, provider: String?, body: String, transport: Transport) {
        self.stream = stream
        self.status = status
        self.provider = provider
        self.body = body
        self.transport = transport
    }
}

/// How the drill judges one request.
package enum DrillOutcome: Sendable, Hashable {
    /// A complete answer, from this provider (`cache` for a cache hit).
    case answered(provider: String)
    /// No answer, but a clear error: an HTTP error with an OpenAI-style JSON error body, or an
    /// SSE error event, carrying this status (200 for a stream whose error came mid-way).
    case failedClearly(status: Int)
    /// Turned away while the drill had stopped or killed the gateway on purpose: a refused
    /// connection, or a connection the dying server closed.
    case refused
    /// No answer and no error: a reset without a body, an empty or malformed 200, a stream that
    /// ended without `[DONE]` or an error event. Never acceptable.
    case lost(String)
    /// Still running at the client's deadline. Never acceptable.
    case hung

    /// Judges `observation`. `refusalExpected` is true while the drill itself keeps the gateway
    /// from answering (after SIGTERM for new requests, after SIGKILL until the restart), when a
    /// refused or broken connection is the expected, clean way to be turned away.
    package static func classify(_ observation: DrillObservation, refusalExpected: Bool = false) -> DrillOutcome {
        switch observation.transport {
        case .timedOut:
            return .hung
        case .refused:
            return refusalExpected ? .refused : .lost("connection refused by the gateway")
        case .broken(let reason):
            // A stream that said why before the connection went is a clear failure.
            if observation.stream, observation.status == 200, Self.errorEvent(in: observation.body) { return .failedClearly(status: 200) }
            return refusalExpected ? .refused : .lost("connection broke: \(reason)")
        case .complete:
            break
        }
        guard let status = observation.status else { return .lost("no response head") }
        guard status == 200 else {
            return Self.errorBody(observation.body) ? .failedClearly(status: status) : .lost("HTTP \(status) without an OpenAI-style error body")
        }
        let provider = observation.provider ?? "?"
        if observation.stream {
            let events = Self.events(observation.body)
            if events.contains(where: { Self.isErrorObject($0) }) { return .failedClearly(status: 200) }
            guard events.last == "[DONE]" else { return .lost("the stream ended without [DONE] or an error event") }
            let objects = events.dropLast().compactMap(Self.object)
            let text = objects.compactMap { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String }.joined()
            let finished = objects.contains { (($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String) != nil }
            guard finished, !text.isEmpty else { return .lost("the stream ended with [DONE] but no text or no finish_reason") }
            return .answered(provider: provider)
        }
        guard let object = Self.object(observation.body),
              let choices = object["choices"] as? [[String: Any]],
              let message = choices.first?["message"] as? [String: Any],
              let content = message["content"] as? String, !content.isEmpty
        else { return .lost("a 200 without choices[0].message.content") }
        return .answered(provider: provider)
    }

    /// `HTTP 502: every provider for 'main' failed — …` for a clear error (first 160 characters).
    static func errorSummary(_ observation: DrillObservation) -> String? {
        let texts = [observation.body] + events(observation.body)
        guard let message = texts.lazy.compactMap({ (object($0)?["error"] as? [String: Any])?["message"] as? String }).first else { return nil }
        let line = "HTTP \(observation.status ?? 0): \(message)"
        return line.count > 160 ? String(line.prefix(160)) + "…" : line
    }

    /// The `data:` payloads of an SSE body, in order.
    static func events(_ body: String) -> [String] {
        body.split(separator: "\n", omittingEmptySubsequences: true)
            .filter { $0.hasPrefix("data:") }
            .map { $0.dropFirst(5).trimmingCharacters(in: .whitespaces) }
    }

    static func errorEvent(in body: String) -> Bool {
        events(body).contains { isErrorObject($0) }
    }

    static func isErrorObject(_ text: String) -> Bool {
        errorBody(text)
    }

    /// Whether `text` is `{"error": {"message": "…", …}}` with a non-empty message.
    static func errorBody(_ text: String) -> Bool {
        guard let error = object(text)?["error"] as? [String: Any], let message = error["message"] as? String else { return false }
        return !message.isEmpty
    }

    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }
}
