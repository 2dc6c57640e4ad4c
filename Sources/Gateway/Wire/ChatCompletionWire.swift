import Foundation
import ServingEngine

/// The Chat Completions wire objects Switchboard writes: a whole `chat.completion` and its usage.
enum ChatCompletionWire {
    /// The `chat.completion` object of a non-streamed answer; the provider's other top-level
    /// fields (`system_fingerprint`, `service_tier`…) follow the standard ones.
    static func completion(_ response: EngineResponse, created: Int) -> JSONObject {
        var body: JSONObject = [
            "id": .string(response.id),
            "object": "chat.completion",
            "created": .integer(Int64(created)),
            "model": .string(response.model),
            "choices": .array(response.choices.map { .object($0.wireChoice) }),
            "usage": .object(usage(response.usage)),
        ]
        for (key, value) in response.responseFields where body[key] == nil { body[key] = value }
        return body
    }

    /// Token counts as OpenAI names them, with the provider's breakdowns when it gave them.
    static func usage(_ usage: TokenUsage) -> JSONObject {
        var body: JSONObject = [
            "prompt_tokens": .integer(Int64(usage.promptTokens)),
            "completion_tokens": .integer(Int64(usage.completionTokens)),
            "total_tokens": .integer(Int64(usage.totalTokens)),
        ]
        if let details = usage.promptTokensDetails { body["prompt_tokens_details"] = .object(details) }
        if let details = usage.completionTokensDetails { body["completion_tokens_details"] = .object(details) }
        return body
    }
}

/// `GET /v1/models`.
struct ModelListBody: Encodable, Sendable {
    var object = "list"
    var data: [Entry]

    struct Entry: Encodable, Sendable {
        var id: String
        var object = "model"
        var created: Int
        var ownedBy = "switchboard"

        enum CodingKeys: String, CodingKey { case id, object, created, ownedBy = "owned_by" }
    }
}

/// One provider as the admin API shows it.
struct ProviderStatusBody: Encodable, Sendable {
    var name: String
    var model: String
    var kind: String
    var tiers: [String]
    var state: String
    var override: String
    var canAnswer: Bool
    var inFlight: Int
    var recentErrorRate: Double
    var breakerReason: String?
    var attempts: Int
    var failures: Int
    var spentUSD: Double
    var healthCheck: String?
    /// The replica that set the override (this one, or another of a fleet), when one was set.
    var overrideSetBy: String?
    var overrideSetAt: String?

    enum CodingKeys: String, CodingKey {
        case overrideSetBy = "override_set_by", overrideSetAt = "override_set_at"
        case name, model, kind, tiers, state, override, canAnswer = "can_answer", inFlight = "in_flight"
        case recentErrorRate = "recent_error_rate", breakerReason = "breaker_reason", attempts, failures, spentUSD = "spent_usd", healthCheck = "health_check"
    }

    init(_ provider: ProviderSnapshot) {
        name = provider.name
        model = provider.model
        kind = provider.kind
        tiers = provider.tiers
        state = provider.state.rawValue
        override = provider.override.rawValue
        overrideSetBy = provider.overrideOrigin?.setBy
        overrideSetAt = provider.overrideOrigin.map { ISO8601DateFormatter().string(from: $0.setAt) }
        canAnswer = provider.state.canAnswer
        inFlight = provider.inFlight
        recentErrorRate = provider.recentErrorRate
        breakerReason = provider.breakerReason
        attempts = provider.attempts
        failures = provider.failures
        spentUSD = provider.spentUSD
    }
}
