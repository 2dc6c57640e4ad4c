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

    /// `Retry-After` as seconds (decimals allowed); HTTP dates are not supported and ignored.
    static func parseRetryAfter(_ value: String) -> Duration? {
        guard let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0, seconds < 86_400 else { return nil }
        return .milliseconds(Int64(seconds * 1000))
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
