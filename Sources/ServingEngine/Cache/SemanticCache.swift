import Foundation
import Synchronization

/// A tenant-scoped answer cache: exact match on the normalised prompt, then the most similar
/// earlier prompt by embedding cosine, if its ``CacheHitRule`` accepts it.
///
/// Entries expire after their TTL, and the least recently used ones are evicted to stay within
/// an entry count and a memory budget. Lookups never cross scopes (see ``CacheScope``). All state
/// sits behind one lock held only for map and vector work; embedding happens outside it.
public final class SemanticCache: Sendable {
    /// The cache's settings.
    public struct Settings: Sendable, Hashable {
        /// Whether the cache is used at all.
        public var enabled: Bool
        /// How long an entry lives.
        public var timeToLive: Duration
        /// The most entries kept.
        public var maxEntries: Int
        /// The most bytes of entries kept (prompts, answers and vectors).
        public var maxBytes: Int
        /// How similar prompts are found within a scope: exact scan or HNSW, float or int8 vectors.
        public var index: CacheIndexSettings
        /// Whether answers that call tools are stored and replayed (`store_tool_calls`); their
        /// scope always includes the tools and the whole conversation.
        public var storesToolCalls = true
        /// How long a lookup waits for the prompt's embedding (`lookup_budget_ms`); nil waits for
        /// it. Past the budget the request goes on to the providers as a miss
        /// (``CacheOutcome/unavailable(reason:)``) while the embedding finishes, and the answer is
        /// stored under it afterwards: a slow embedding costs a possible semantic hit, not latency.
        public var lookupBudget: Duration?

        /// Creates settings.
        public init(
            enabled: Bool = true,
            timeToLive: Duration = .seconds(3600),
            maxEntries: Int = 100_000,
            maxBytes: Int = 256 << 20,
            index: CacheIndexSettings = CacheIndexSettings()
        ) {
            self.enabled = enabled
            self.timeToLive = timeToLive
            self.maxEntries = maxEntries
            self.maxBytes = maxBytes
            self.index = index
        }
    }

    /// A stored answer.
    public struct Answer: Sendable, Hashable {
        /// The answer text.
        public var text: String
        /// The token counts of the original call.
        public var usage: TokenUsage
        /// The provider that produced it.
        public var provider: String
        /// The model that produced it.
        public var model: String
        /// The answer's full form when it is more than one finished text: tool calls, a refusal,
        /// log probabilities, several choices, vendor fields. Nil for a plain text answer, which
        /// is most of them and costs no more than its text.
        public var detail: AnswerDetail?

        /// Creates an answer.
        public init(text: String, usage: TokenUsage, provider: String, model: String, detail: AnswerDetail? = nil) {
            self.text = text
            self.usage = usage
            self.provider = provider
            self.model = model
            self.detail = detail
        }

        /// An answer of `choices`: plain when it is one finished text with no response fields.
        public init(choices: [AnswerChoice], responseFields: JSONObject, usage: TokenUsage, provider: String, model: String) {
            let plain = choices.count == 1 && choices[0].isPlainText && responseFields.isEmpty
            self.init(
                text: choices.first?.content ?? "", usage: usage, provider: provider, model: model,
                detail: plain ? nil : AnswerDetail(choices: choices, responseFields: responseFields)
            )
        }

        /// The choices to replay.
        public var choices: [AnswerChoice] {
            detail?.choices ?? [AnswerChoice(content: text)]
        }

        /// The response fields to replay.
        public var responseFields: JSONObject {
            detail?.responseFields ?? JSONObject()
        }
    }

    /// The result of a lookup.
    public enum Lookup: Sendable {
        /// The same prompt in the same scope was answered before.
        case exact(Answer)
        /// A similar prompt in the same scope was answered before.
        case semantic(Answer, similarity: Double, matchedPrompt: String)
        /// Nothing fits; `key` lets the caller store the answer it gets without embedding again.
        case miss(Key, bestSimilarity: Double?)
    }

    /// What a miss remembers so that the answer can be stored cheaply.
    public struct Key: Sendable {
        let scope: CacheScope
        let normalized: String
        let prompt: String
        let exactHash: UInt64
        let vector: [Float]

        /// A key made by hand (the cache benchmark fills the store directly).
        package init(scope: CacheScope, normalized: String, prompt: String, exactHash: UInt64, vector: [Float]) {
            self.scope = scope
            self.normalized = normalized
            self.prompt = prompt
            self.exactHash = exactHash
            self.vector = vector
        }
    }

    /// Counters and sizes at one moment.
    public struct Statistics: Sendable, Hashable, Codable {
        /// Entries held.
        public var entries: Int
        /// Bytes held, by the cache's own accounting.
        public var bytes: Int
        /// Entries removed to respect the bounds.
        public var evictions: Int
        /// Entries removed because their TTL passed.
        public var expirations: Int
        /// Entries stored since start.
        public var insertions: Int

        /// Creates statistics.
        public init(entries: Int = 0, bytes: Int = 0, evictions: Int = 0, expirations: Int = 0, insertions: Int = 0) {
            self.entries = entries
            self.bytes = bytes
            self.evictions = evictions
            self.expirations = expirations
            self.insertions = insertions
        }
    }

    /// The embedder in use.
    public let embedder: any Embedder
    /// The settings in force.
    public let settings: Settings
    /// What counts as a semantic hit.
    public let rule: CacheHitRule
    private let store: Mutex<CacheStore>

    /// Creates an empty cache.
    public init(settings: Settings, rule: CacheHitRule, embedder: any Embedder) {
        self.settings = settings
        self.rule = rule
        self.embedder = embedder
        self.store = Mutex(CacheStore(dimensions: embedder.dimensions, indexSettings: settings.index))
    }

    /// Looks `request` up: exact match first, then semantic. `vector`, when given, must be this
    /// cache's embedding of the normalised prompt (the router may have computed it already).
    public func lookup(_ request: ChatRequest, vector precomputed: [Float]? = nil, now: ContinuousClock.Instant = .now) async throws -> Lookup {
        try await explainedLookup(request, vector: precomputed, now: now).lookup
    }

    /// ``lookup(_:vector:now:)``, with the candidate the hit rule judged and why it was taken or
    /// refused (nil when the scope held nothing to compare): what the request inspector shows.
    public func explainedLookup(_ request: ChatRequest, vector precomputed: [Float]? = nil, now: ContinuousClock.Instant = .now) async throws -> (lookup: Lookup, candidate: CacheCandidate?) {
        let probe = Probe(request)
        if let exact = exactMatch(probe, now: now) { return (.exact(exact.answer), exact.candidate) }
        return semanticLookup(probe, vector: try await embedding(of: probe.normalized, precomputed: precomputed), now: now)
    }

    /// What a lookup derives from a request once: its scope, prompt, normalised prompt (the text
    /// this cache embeds) and exact-match hash.
    struct Probe {
        let request: ChatRequest
        let scope: CacheScope
        let prompt: String
        let normalized: String
        let exactHash: UInt64

        init(_ request: ChatRequest) {
            self.request = request
            scope = CacheScope(request: request)
            prompt = request.lastUserPrompt
            normalized = PromptNormalizer.normalize(prompt)
            exactHash = HashingEmbedder.combine(HashingEmbedder.hash(normalized.utf8), scope.stableHash)
        }

        /// The key to store an answer under, with the embedding of ``normalized``.
        func key(vector: [Float]) -> Key {
            Key(scope: scope, normalized: normalized, prompt: prompt, exactHash: exactHash, vector: vector)
        }
    }

    /// The exact half of a lookup, which needs no embedding: the answer stored for the same
    /// normalised prompt in the same scope, with its candidate, or nil.
    func exactMatch(_ probe: Probe, now: ContinuousClock.Instant = .now) -> (answer: Answer, candidate: CacheCandidate)? {
        guard let answer = store.withLock({ $0.exactMatch(hash: probe.exactHash, scope: probe.scope, normalized: probe.normalized, now: now) }) else { return nil }
        return (answer, CacheCandidate(prompt: probe.prompt, similarity: 1, verifierProbability: nil, taken: true, reason: "exact match of the normalised prompt in the same scope"))
    }

    /// The semantic half of a lookup, once the exact half has missed: `vector` is this cache's
    /// embedding of `probe.normalized`.
    func semanticLookup(_ probe: Probe, vector: [Float], now: ContinuousClock.Instant = .now) -> (lookup: Lookup, candidate: CacheCandidate?) {
        let key = probe.key(vector: vector)
        // The vector is still computed so that the answer can be stored for an exact match later.
        guard probe.request.allowsSemanticCacheMatch else {
            return (.miss(key, bestSimilarity: nil), nil)
        }
        let best = store.withLock { $0.nearest(to: vector, scope: probe.scope, now: now) }
        guard let best else { return (.miss(key, bestSimilarity: nil), nil) }
        let similarity = Double(best.similarity)
        let judgement = rule.judge(similarity: similarity, query: probe.normalized, candidate: best.prompt)
        let candidate = CacheCandidate(prompt: best.prompt, similarity: similarity, verifierProbability: judgement.probability, taken: judgement.taken, reason: judgement.reason)
        guard judgement.taken else { return (.miss(key, bestSimilarity: similarity), candidate) }
        return (.semantic(best.answer, similarity: similarity, matchedPrompt: best.prompt), candidate)
    }

    /// The key under which an answer to `request` would be stored, without looking it up
    /// (for requests that bypass the lookup but may still fill the cache). `vector` as in
    /// ``lookup(_:vector:now:)``.
    public func key(for request: ChatRequest, vector precomputed: [Float]? = nil) async throws -> Key {
        let probe = Probe(request)
        return probe.key(vector: try await embedding(of: probe.normalized, precomputed: precomputed))
    }

    private func embedding(of normalized: String, precomputed: [Float]?) async throws -> [Float] {
        if let precomputed { return precomputed }
        return try await embedder.embed(normalized)
    }

    /// Stores `answer` under the key a miss returned.
    public func store(_ answer: Answer, for key: Key, now: ContinuousClock.Instant = .now) {
        store.withLock {
            $0.insert(answer, key: key, expiresAt: now + settings.timeToLive, maxEntries: settings.maxEntries, maxBytes: settings.maxBytes)
        }
    }

    /// Removes the entries of `tenant` (all tenants when nil) stored for `model` (all models when
    /// nil). Returns how many went.
    @discardableResult
    public func invalidate(tenant: String? = nil, model: String? = nil) -> Int {
        store.withLock { $0.removeAll(where: { (tenant == nil || $0.tenant == tenant) && (model == nil || $0.scope.model == model) }) }
    }

    /// The live entries in file form, least recently used first.
    func exportEntries(now: ContinuousClock.Instant = .now, wallClock: Date = Date()) -> [CacheFile.Entry] {
        store.withLock { $0.export(now: now) }.map { item in
            CacheFile.Entry(
                scope: item.entry.scope, normalized: item.entry.normalized, prompt: item.entry.prompt, answer: item.entry.answer,
                vector: item.vector, expiresAt: wallClock.addingTimeInterval((item.entry.expiresAt - now).seconds)
            )
        }
    }

    /// Adds entries read from a file, skipping expired ones. Returns how many were added.
    func importEntries(_ entries: [CacheFile.Entry], now: ContinuousClock.Instant = .now, wallClock: Date = Date()) -> Int {
        var added = 0
        for entry in entries where entry.expiresAt > wallClock && entry.vector.count == embedder.dimensions {
            let exactHash = HashingEmbedder.combine(HashingEmbedder.hash(entry.normalized.utf8), entry.scope.stableHash)
            let key = Key(scope: entry.scope, normalized: entry.normalized, prompt: entry.prompt, exactHash: exactHash, vector: entry.vector)
            let expiresAt = now + .milliseconds(Int64(entry.expiresAt.timeIntervalSince(wallClock) * 1000))
            store.withLock { $0.insert(entry.answer, key: key, expiresAt: expiresAt, maxEntries: settings.maxEntries, maxBytes: settings.maxBytes) }
            added += 1
        }
        return added
    }

    /// Current counters and sizes.
    public var statistics: Statistics {
        store.withLock { $0.statistics }
    }
}
