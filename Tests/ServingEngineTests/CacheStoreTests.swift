import Testing
@testable import ServingEngine

/// The store's compact layout: 56-byte records, texts in an arena, an open-addressed exact
/// table, interned provider and model names. Everything must still read back as stored.
@Suite("Cache store layout")
struct CacheStoreTests {
    let now = ContinuousClock.now
    let acme = CacheScope(tenant: "acme", model: "m", systemPromptHash: 0, sampling: .init(), contextHash: 0)

    func key(_ prompt: String, scope: CacheScope? = nil, hash: UInt64? = nil) -> SemanticCache.Key {
        let scope = scope ?? acme
        let normalized = PromptNormalizer.normalize(prompt)
        let exactHash = hash ?? HashingEmbedder.combine(HashingEmbedder.hash(normalized.utf8), scope.stableHash)
        return SemanticCache.Key(scope: scope, normalized: normalized, prompt: prompt, exactHash: exactHash, vector: HashingEmbedder(dimensions: 32).vector(for: normalized))
    }

    @Test func anAnswerReadsBackWithItsTextUsageProviderAndModel() {
        var store = CacheStore(dimensions: 32)
        let answer = SemanticCache.Answer(text: "Paris — the capital, ünïcödé included", usage: TokenUsage(promptTokens: 12, completionTokens: 345), provider: "gpt-cloud", model: "gpt-4o")
        let key = key("What is the capital of France?")
        store.insert(answer, key: key, expiresAt: now + .seconds(60), maxEntries: 10, maxBytes: 1 << 30)
        #expect(store.exactMatch(hash: key.exactHash, scope: acme, normalized: key.normalized, now: now) == answer)
        let exported = store.export(now: now)
        #expect(exported.count == 1)
        #expect(exported.first?.entry.prompt == "What is the capital of France?")
        #expect(exported.first?.entry.normalized == key.normalized)
        #expect(exported.first?.entry.answer == answer)
        #expect(exported.first?.entry.scope == acme)
    }

    @Test func anExactHashCollisionWithADifferentPromptIsNoMatch() {
        var store = CacheStore(dimensions: 32)
        let stored = key("first prompt", hash: 42)
        store.insert(.init(text: "one", usage: .init(), provider: "p", model: "m"), key: stored, expiresAt: now + .seconds(60), maxEntries: 10, maxBytes: 1 << 30)
        let other = key("second prompt", hash: 42)
        #expect(store.exactMatch(hash: 42, scope: acme, normalized: other.normalized, now: now) == nil)
        #expect(store.exactMatch(hash: 42, scope: acme, normalized: stored.normalized, now: now)?.text == "one")
    }

    @Test func evictionsAndRemovalsKeepEveryLiveEntryFindableAndItsTextIntact() {
        // 3,000 inserts into a store of 200: the exact table shifts entries back on every
        // removal, and the arena is compacted many times over.
        var store = CacheStore(dimensions: 32)
        for index in 0..<3_000 {
            let text = String(repeating: "answer \(index) ", count: 1 + index % 7)
            store.insert(.init(text: text, usage: .init(promptTokens: index, completionTokens: 1), provider: "p\(index % 3)", model: "m"), key: key("prompt number \(index)"), expiresAt: now + .seconds(60), maxEntries: 200, maxBytes: 1 << 30)
        }
        #expect(store.statistics.entries == 200)
        #expect(store.memory.texts < 200 * 120 * 3)
        for index in 2_800..<3_000 {
            let key = key("prompt number \(index)")
            let found = store.exactMatch(hash: key.exactHash, scope: acme, normalized: key.normalized, now: now)
            #expect(found?.text == String(repeating: "answer \(index) ", count: 1 + index % 7))
            #expect(found?.provider == "p\(index % 3)")
            #expect(found?.usage.promptTokens == index)
        }
        let evicted = key("prompt number 2799")
        #expect(store.exactMatch(hash: evicted.exactHash, scope: acme, normalized: evicted.normalized, now: now) == nil)
        let removed = store.removeAll { $0.prompt.hasSuffix("0") }
        #expect(removed == 20)
        for index in 2_800..<3_000 {
            let key = key("prompt number \(index)")
            #expect((store.exactMatch(hash: key.exactHash, scope: acme, normalized: key.normalized, now: now) != nil) == (index % 10 != 0))
        }
    }

    @Test func anEntryExpiresAtItsInstantNotBefore() {
        var store = CacheStore(dimensions: 32)
        let key = key("short lived")
        store.insert(.init(text: "soon gone", usage: .init(), provider: "p", model: "m"), key: key, expiresAt: now + .milliseconds(1500), maxEntries: 10, maxBytes: 1 << 30)
        #expect(store.exactMatch(hash: key.exactHash, scope: acme, normalized: key.normalized, now: now + .milliseconds(1499)) != nil)
        #expect(store.exactMatch(hash: key.exactHash, scope: acme, normalized: key.normalized, now: now + .milliseconds(1500)) == nil)
        #expect(store.statistics.expirations == 1)
    }
}
