/// Everything besides the prompt that decides whether a stored answer fits a new request.
///
/// Two requests can share a cached answer only when all of these are equal: the tenant (so one
/// tenant never sees another's answers), the requested model or route, the system prompt, the
/// sampling parameters, and the context: every other message (earlier turns, and the assistant and
/// tool turns after the prompt, with names and tool-call ids), the prompt's own non-text parts by
/// content hash, and every request field that changes the answer (`tools`, `tool_choice`,
/// `response_format`, `seed`, penalties, `logit_bias`, `n`, `logprobs`, vendor fields…).
public struct CacheScope: Sendable, Hashable {
    /// The tenant that owns the entry.
    public var tenant: String
    /// The model or route the client asked for.
    public var model: String
    /// A hash of the system and developer instructions.
    public var systemPromptHash: UInt64
    /// The sampling parameters of the request.
    public var sampling: SamplingParameters
    /// A hash of the rest of the request that changes the answer, as described above.
    public var contextHash: UInt64

    /// Request fields that do not change the answer, left out of the scope so that they do not
    /// split the cache: who is asking for abuse monitoring (`user`, `safety_identifier`), the
    /// client's own bookkeeping (`metadata`, `store`), how the answer is delivered
    /// (`stream_options`), and billing and caching hints (`service_tier`, `prompt_cache_key`).
    public static let answerNeutralFields: Set<String> = ["user", "safety_identifier", "metadata", "store", "stream_options", "service_tier", "prompt_cache_key"]

    /// Creates a scope from its parts (for entries read back from storage).
    public init(tenant: String, model: String, systemPromptHash: UInt64, sampling: SamplingParameters, contextHash: UInt64) {
        self.tenant = tenant
        self.model = model
        self.systemPromptHash = systemPromptHash
        self.sampling = sampling
        self.contextHash = contextHash
    }

    /// The scope of `request`.
    public init(request: ChatRequest) {
        tenant = request.tenant
        model = request.options.forcedTier ?? request.model
        sampling = request.sampling
        // Instructions hash by their text, so the same words give the same scope however they were
        // sent; one that carries more (a name, parts) adds its whole wire form.
        var system = HashingEmbedder.hash(request.systemPrompt.utf8)
        var context: UInt64 = 0
        let prompt = request.lastUserIndex
        for (index, message) in request.messages.enumerated() {
            if message.role.isInstruction {
                if let wire = message.wire, wire.count > 2 || message.contentParts != nil {
                    system = HashingEmbedder.combine(system, JSONValue.object(wire).stableHash)
                }
            } else if index == prompt {
                context = HashingEmbedder.combine(context, Self.promptMarker)
                context = HashingEmbedder.combine(context, JSONValue.object(Self.withoutText(message)).stableHash)
            } else {
                context = HashingEmbedder.combine(context, JSONValue.object(message.wireObject).stableHash)
            }
        }
        var parameters = request.parameters
        for key in Self.answerNeutralFields { parameters.removeValue(forKey: key) }
        if !parameters.isEmpty { context = HashingEmbedder.combine(context, parameters.stableHash) }
        systemPromptHash = system
        contextHash = context
    }

    private static let promptMarker: UInt64 = 0x5052_4F4D_5054  // "PROMPT"

    /// The prompt message with its text taken out (the text is what the cache matches), leaving
    /// its name, its non-text parts and the positions of its text parts.
    private static func withoutText(_ message: ChatMessage) -> JSONObject {
        var object = message.wireObject
        if let parts = message.contentParts {
            object["content"] = .array(parts.map { part in part["type"]?.stringValue == "text" ? ["type": "text"] : part })
        } else {
            object.removeValue(forKey: "content")
        }
        return object
    }

    /// A hash that is the same in every process (unlike `hashValue`), for keys that outlive one run.
    public var stableHash: UInt64 {
        var hash = HashingEmbedder.hash(tenant.utf8)
        hash = HashingEmbedder.combine(hash, HashingEmbedder.hash(model.utf8))
        hash = HashingEmbedder.combine(hash, systemPromptHash)
        hash = HashingEmbedder.combine(hash, contextHash)
        hash = HashingEmbedder.combine(hash, sampling.temperature.map { $0.bitPattern } ?? 1)
        hash = HashingEmbedder.combine(hash, sampling.topP.map { $0.bitPattern } ?? 2)
        hash = HashingEmbedder.combine(hash, sampling.maxTokens.map { UInt64(bitPattern: Int64($0)) } ?? 3)
        for stop in sampling.stop { hash = HashingEmbedder.combine(hash, HashingEmbedder.hash(stop.utf8)) }
        return hash
    }
}

extension ChatRequest {
    /// Whether the cache may answer this request with a similar prompt's answer, not only the same
    /// prompt's: only when the prompt it compares is all the request varies in — the last message is
    /// the user's prompt and holds nothing but text. A tool-result turn, or a prompt with an image,
    /// is answered from the cache only by an exact match of everything.
    public var allowsSemanticCacheMatch: Bool {
        guard let index = lastUserIndex, index == messages.count - 1 else { return false }
        return !messages[index].hasNonTextContent
    }
}
