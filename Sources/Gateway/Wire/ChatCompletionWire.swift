import Foundation
import ServingEngine

/// The `chat.completion` object of a non-streamed answer.
struct ChatCompletionBody: Encodable, Sendable {
    var id: String
    var object = "chat.completion"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: UsageBody
    var systemFingerprint: String? = nil

    struct Choice: Encodable, Sendable {
        var index = 0
        var message: MessageBody
        var finishReason: String
        var logprobs: String? = nil

        enum CodingKeys: String, CodingKey { case index, message, finishReason = "finish_reason", logprobs }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(message, forKey: .message)
            try container.encode(finishReason, forKey: .finishReason)
            try container.encode(logprobs, forKey: .logprobs)
        }
    }

    struct MessageBody: Encodable, Sendable {
        var role = "assistant"
        var content: String
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    init(_ response: EngineResponse, created: Int) {
        id = response.id
        self.created = created
        model = response.model
        choices = [Choice(message: MessageBody(content: response.text), finishReason: response.finishReason.rawValue)]
        usage = UsageBody(response.usage)
    }
}

/// Token counts as OpenAI names them.
struct UsageBody: Encodable, Sendable {
    var promptTokens: Int
    var completionTokens: Int
    var totalTokens: Int

    enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens" }

    init(_ usage: TokenUsage) {
        promptTokens = usage.promptTokens
        completionTokens = usage.completionTokens
        totalTokens = usage.totalTokens
    }
}

/// One `chat.completion.chunk` of a streamed answer.
struct ChatCompletionChunkBody: Encodable, Sendable {
    var id: String
    var object = "chat.completion.chunk"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: UsageBody?

    struct Choice: Encodable, Sendable {
        var index = 0
        var delta: Delta
        var finishReason: String?

        enum CodingKeys: String, CodingKey { case index, delta, finishReason = "finish_reason" }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            try container.encode(finishReason, forKey: .finishReason)
        }
    }

    struct Delta: Encodable, Sendable {
        var role: String?
        var content: String?
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(choices, forKey: .choices)
        if let usage { try container.encode(usage, forKey: .usage) }
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
