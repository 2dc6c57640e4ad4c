/// Everything besides the prompt that decides whether a stored answer fits a new request.
///
/// Two requests can share a cached answer only when all of these are equal: the tenant (so one
/// tenant never sees another's answers), the requested model or route, the system prompt, and
/// the sampling parameters that change answers.
public struct CacheScope: Sendable, Hashable {
    /// The tenant that owns the entry.
    public var tenant: String
    /// The model or route the client asked for.
    public var model: String
    /// A hash of the system and developer instructions.
    public var systemPromptHash: UInt64
    /// The sampling parameters of the request.
    public var sampling: SamplingParameters
    /// A hash of the earlier turns of the conversation, so a follow-up only matches the same history.
    public var historyHash: UInt64

    /// Creates a scope from its parts (for entries read back from storage).
    public init(tenant: String, model: String, systemPromptHash: UInt64, sampling: SamplingParameters, historyHash: UInt64) {
        self.tenant = tenant
        self.model = model
        self.systemPromptHash = systemPromptHash
        self.sampling = sampling
        self.historyHash = historyHash
    }

    /// The scope of `request`.
    public init(request: ChatRequest) {
        tenant = request.tenant
        model = request.options.forcedTier ?? request.model
        systemPromptHash = HashingEmbedder.hash(request.systemPrompt.utf8)
        sampling = request.sampling
        var history: UInt64 = 0
        let lastUser = request.messages.lastIndex(where: { $0.role == .user }) ?? request.messages.endIndex
        for message in request.messages[..<lastUser] where message.role != .system && message.role != .developer {
            history = HashingEmbedder.combine(history, HashingEmbedder.hash((message.role.rawValue + ":" + message.content).utf8))
        }
        historyHash = history
    }

    /// A hash that is the same in every process (unlike `hashValue`), for keys that outlive one run.
    public var stableHash: UInt64 {
        var hash = HashingEmbedder.hash(tenant.utf8)
        hash = HashingEmbedder.combine(hash, HashingEmbedder.hash(model.utf8))
        hash = HashingEmbedder.combine(hash, systemPromptHash)
        hash = HashingEmbedder.combine(hash, historyHash)
        hash = HashingEmbedder.combine(hash, sampling.temperature.map { $0.bitPattern } ?? 1)
        hash = HashingEmbedder.combine(hash, sampling.topP.map { $0.bitPattern } ?? 2)
        hash = HashingEmbedder.combine(hash, sampling.maxTokens.map { UInt64(bitPattern: Int64($0)) } ?? 3)
        for stop in sampling.stop { hash = HashingEmbedder.combine(hash, HashingEmbedder.hash(stop.utf8)) }
        return hash
    }
}
