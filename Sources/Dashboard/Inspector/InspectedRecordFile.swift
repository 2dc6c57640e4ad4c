import Foundation
import ServingEngine

/// A decision record as the inspector writes it: readable JSON with milliseconds and words, not
/// the engine's internal encoding, so an operator can attach it to a ticket or `jq` it.
struct InspectedRecordFile: Encodable {
    struct Candidate: Encodable {
        var prompt: String
        var similarity: Double
        var verifierProbability: Double?
        var taken: Bool
        var reason: String
    }

    struct Cue: Encodable {
        var feature: String
        var weight: Double
        var evidence: String
    }

    struct Attempt: Encodable {
        var provider: String
        var attempt: Int
        var outcome: String
        var error: String?
        var startOffsetMs: Double?
        var timeToFirstTokenMs: Double?
        var durationMs: Double
        var breaker: String?
        var backoffMs: Double?
    }

    var id: UInt64
    var receivedAt: String
    var tenant: String
    var origin: String
    var requestedModel: String
    var scope: String
    var prompt: String
    var promptTruncated: Bool
    var cache: String
    var cacheCandidates: [Candidate]
    var routeScore: Double
    var routeThreshold: Double?
    var routeMethod: String
    var tier: String
    var cues: [Cue]
    var attempts: [Attempt]
    var provider: String?
    var status: String
    var error: String?
    var promptTokens: Int
    var completionTokens: Int
    var costUSD: Double
    var frontierCostUSD: Double
    var latencyMs: Double
    var timeToFirstTokenMs: Double?
    var answerHead: String

    init(_ record: DecisionRecord) {
        func ms(_ duration: Duration) -> Double { (duration.seconds * 1e6).rounded() / 1e3 }
        let evidence = record.evidence
        id = record.id
        receivedAt = ISO8601DateFormatter().string(from: record.receivedAt)
        tenant = record.tenant
        origin = record.origin.rawValue
        requestedModel = evidence.requestedModel
        scope = evidence.scope
        prompt = evidence.prompt.isEmpty ? record.promptExcerpt : evidence.prompt
        promptTruncated = evidence.promptTruncated
        cache = record.cache.label
        cacheCandidates = evidence.cacheCandidates.map { Candidate(prompt: $0.prompt, similarity: $0.similarity, verifierProbability: $0.verifierProbability, taken: $0.taken, reason: $0.reason) }
        routeScore = record.route.score
        routeThreshold = evidence.routeThreshold
        routeMethod = switch record.route.method {
        case .scored: "scored"
        case .explicitModel(let model): "model \(model)"
        case .forcedTier: "forced tier"
        case .semanticRoute(let name, let similarity): "semantic route \(name) (\(similarity))"
        }
        tier = record.route.tier
        cues = record.route.reasons.map { Cue(feature: $0.feature, weight: $0.contribution, evidence: $0.evidence) }
        var timings = evidence.attempts[...]
        attempts = record.attempts.map { attempt in
            var entry = Attempt(provider: attempt.provider, attempt: attempt.attempt, outcome: "ok", durationMs: ms(attempt.latency))
            switch attempt.outcome {
            case .succeeded: break
            case .failed(let failure):
                entry.outcome = failure.kind.rawValue
                entry.error = failure.detail
            case .skipped(let reason):
                entry.outcome = "skipped"
                entry.error = reason.description
                return entry
            }
            if let index = timings.firstIndex(where: { $0.provider == attempt.provider && $0.attempt == attempt.attempt }) {
                let timing = timings[index]
                timings = timings[(index + 1)...]
                entry.startOffsetMs = ms(timing.startOffset)
                entry.timeToFirstTokenMs = timing.timeToFirstToken.map(ms)
                entry.breaker = timing.breaker
                entry.backoffMs = timing.backoff.map(ms)
            }
            return entry
        }
        provider = record.provider
        switch record.status {
        case .ok: status = record.isFallback ? "fallback" : "ok"
        case .failed(let message): status = "failed"; error = message
        case .interrupted(let message): status = "interrupted"; error = message
        case .cancelled: status = "cancelled"
        }
        promptTokens = record.usage.promptTokens
        completionTokens = record.usage.completionTokens
        costUSD = record.costUSD
        frontierCostUSD = record.frontierCostUSD
        latencyMs = ms(record.latency)
        timeToFirstTokenMs = record.timeToFirstToken.map(ms)
        answerHead = evidence.answerHead
    }

    /// The record as pretty-printed JSON with sorted keys.
    static func data(for record: DecisionRecord) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(InspectedRecordFile(record))
    }

    /// Writes `record` into `directory` as `switchboard-request-ID.json` and returns the path.
    static func write(_ record: DecisionRecord, into directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("switchboard-request-\(record.id).json")
        try data(for: record).write(to: url, options: .atomic)
        return url
    }
}
