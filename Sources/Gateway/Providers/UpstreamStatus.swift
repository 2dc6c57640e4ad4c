import Foundation
import ServingEngine

/// How an upstream HTTP status becomes a ``ProviderFailure`` kind.
enum UpstreamStatus {
    /// The failure for a non-success status, with `Retry-After` honoured for 429 and 503.
    static func failure(status: Int, provider: String, detail: String, retryAfter: String?) -> ProviderFailure {
        let kind: ProviderFailure.Kind = switch status {
        case 429: .rateLimited
        case 401, 403, 404: .providerRejected
        case 400, 413, 422: .requestRejected
        case 408: .timeout
        case 500...599: .serverError
        default: .badResponse
        }
        let summary = detail.isEmpty ? "" : ": \(detail)"
        let wait = (status == 429 || status == 503) ? retryAfter.flatMap(parseRetryAfter) : nil
        return ProviderFailure(kind, "\(provider) answered HTTP \(status)\(summary)", retryAfter: wait)
    }

    /// `Retry-After` as delay-seconds (decimals allowed) or as an HTTP date (RFC 9110's
    /// IMF-fixdate, e.g. `Wed, 21 Oct 2015 07:28:00 GMT`), which becomes the time left until it.
    static func parseRetryAfter(_ value: String) -> Duration? {
        parseRetryAfter(value, now: Date())
    }

    static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text) {
            guard seconds >= 0, seconds < 86_400 else { return nil }
            return .milliseconds(Int64(seconds * 1000))
        }
        guard let date = httpDate(text) else { return nil }
        let seconds = max(0, date.timeIntervalSince(now))
        guard seconds < 86_400 else { return nil }
        return .milliseconds(Int64(seconds * 1000))
    }

    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }

    /// The `{"error": {...}}` object of an OpenAI- or Anthropic-style error body, secret-free.
    static func apiError(in body: String, redacting secret: String?) -> UpstreamError? {
        guard let value = try? JSONParser.parse(body), let error = value["error"]?.objectValue, let message = error["message"]?.stringValue else { return nil }
        var text = message
        if let secret, !secret.isEmpty { text = text.replacingOccurrences(of: secret, with: "[redacted]") }
        return UpstreamError(message: text, type: error["type"]?.stringValue, param: error["param"]?.stringValue, code: error["code"]?.stringValue)
    }

    /// A short, single-line, secret-free excerpt of an upstream error body.
    static func excerpt(_ body: String, redacting secret: String?) -> String {
        var text = body
        if let secret, !secret.isEmpty { text = text.replacingOccurrences(of: secret, with: "[redacted]") }
        // OpenAI-style error bodies: take the message when there is one.
        if let range = text.range(of: "\"message\""), let start = text[range.upperBound...].firstIndex(of: "\"") {
            let rest = text[text.index(after: start)...]
            if let end = rest.firstIndex(of: "\"") { text = String(rest[..<end]) }
        }
        let single = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return single.count > 200 ? String(single.prefix(200)) + "…" : single
    }
}
