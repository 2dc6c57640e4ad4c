import Testing
@testable import ServingEngine

@Suite("Semantic cache")
struct SemanticCacheTests {
    func answer(_ text: String) -> SemanticCache.Answer {
        .init(text: text, usage: TokenUsage(promptTokens: 10, completionTokens: 20), provider: "p", model: "m")
    }

    func fill(_ cache: SemanticCache, _ request: ChatRequest, _ text: String, now: ContinuousClock.Instant = .now) async throws {
        guard case .miss(let key, _) = try await cache.lookup(request, now: now) else {
            Issue.record("expected a miss before storing \(request.lastUserPrompt)")
            return
        }
        cache.store(answer(text), for: key, now: now)
    }

    func makeCache(_ settings: SemanticCache.Settings = .init(), threshold: Double = 0.8) -> SemanticCache {
        SemanticCache(settings: settings, rule: .threshold(threshold), embedder: HashingEmbedder())
    }

    @Test func anExactRepeatHitsIgnoringCaseSpacingAndTrailingPunctuation() async throws {
        let cache = makeCache()
        try await fill(cache, ChatRequest(prompt: "What is a Bloom filter?", tenant: "acme"), "a set sketch")
        let lookup = try await cache.lookup(ChatRequest(prompt: "  what is a   bloom filter ", tenant: "acme"))
        guard case .exact(let hit) = lookup else {
            Issue.record("expected an exact hit, got \(lookup)")
            return
        }
        #expect(hit.text == "a set sketch")
    }

    @Test func aCloseParaphraseHitsSemanticallyWithItsSimilarity() async throws {
        let cache = makeCache()
        try await fill(cache, ChatRequest(prompt: "Give me a one-line definition of photosynthesis.", tenant: "acme"), "Plants turn light into sugar.")
        let lookup = try await cache.lookup(ChatRequest(prompt: "One-line definition of photosynthesis, please.", tenant: "acme"))
        guard case .semantic(let hit, let similarity, let matched) = lookup else {
            Issue.record("expected a semantic hit, got \(lookup)")
            return
        }
        #expect(hit.text == "Plants turn light into sugar.")
        #expect(similarity >= 0.8 && similarity < 1)
        #expect(matched == "Give me a one-line definition of photosynthesis.")
    }

    @Test func anUnrelatedPromptMisses() async throws {
        let cache = makeCache()
        try await fill(cache, ChatRequest(prompt: "Translate good morning into Japanese", tenant: "acme"), "ohayō")
        let lookup = try await cache.lookup(ChatRequest(prompt: "Explain how a B-tree splits a node", tenant: "acme"))
        guard case .miss(_, let best) = lookup else {
            Issue.record("expected a miss, got \(lookup)")
            return
        }
        #expect((best ?? 0) < 0.5)
    }

    @Test func oneTenantNeverSeesAnothersAnswers() async throws {
        let cache = makeCache()
        try await fill(cache, ChatRequest(prompt: "What is our refund policy?", tenant: "acme"), "acme's secret policy")
        for prompt in ["What is our refund policy?", "what is our refund policy"] {
            let lookup = try await cache.lookup(ChatRequest(prompt: prompt, tenant: "globex"))
            guard case .miss = lookup else {
                Issue.record("tenant globex got acme's answer for '\(prompt)': \(lookup)")
                return
            }
        }
    }

    @Test func theSystemPromptSamplingAndModelScopeEntries() async throws {
        let cache = makeCache()
        let base = ChatRequest(model: "auto", messages: [ChatMessage(role: .system, content: "Answer in French."), ChatMessage(role: .user, content: "Name a colour")], tenant: "acme")
        try await fill(cache, base, "rouge")
        var otherSystem = base
        otherSystem.messages[0].content = "Answer in German."
        var otherTemperature = base
        otherTemperature.sampling.temperature = 1.5
        var otherModel = base
        otherModel.model = "frontier"
        var otherHistory = base
        otherHistory.messages.insert(ChatMessage(role: .user, content: "Earlier question"), at: 1)
        otherHistory.messages.insert(ChatMessage(role: .assistant, content: "Earlier answer"), at: 2)
        for (label, request) in [("system prompt", otherSystem), ("temperature", otherTemperature), ("model", otherModel), ("history", otherHistory)] {
            let lookup = try await cache.lookup(request)
            guard case .miss = lookup else {
                Issue.record("a different \(label) must not share the entry: \(lookup)")
                continue
            }
        }
        guard case .exact = try await cache.lookup(base) else {
            Issue.record("the same scope must still hit")
            return
        }
    }

    @Test func entriesExpireAfterTheirTimeToLive() async throws {
        let cache = makeCache(.init(timeToLive: .seconds(60)), threshold: 0.8)
        let t0 = ContinuousClock.now
        let request = ChatRequest(prompt: "What is gravity?", tenant: "acme")
        try await fill(cache, request, "a force", now: t0)
        guard case .exact = try await cache.lookup(request, now: t0 + .seconds(59)) else {
            Issue.record("expected a hit before the TTL")
            return
        }
        guard case .miss = try await cache.lookup(request, now: t0 + .seconds(61)) else {
            Issue.record("expected a miss after the TTL")
            return
        }
        #expect(cache.statistics.entries == 0)
        #expect(cache.statistics.expirations == 1)
    }

    @Test func theLeastRecentlyUsedEntryIsEvictedAtTheEntryBound() async throws {
        let cache = makeCache(.init(maxEntries: 2), threshold: 0.99)
        let first = ChatRequest(prompt: "first distinct question about volcanoes", tenant: "acme")
        let second = ChatRequest(prompt: "second distinct question about sourdough", tenant: "acme")
        let third = ChatRequest(prompt: "third distinct question about chess openings", tenant: "acme")
        try await fill(cache, first, "1")
        try await fill(cache, second, "2")
        _ = try await cache.lookup(first)  // first is now the most recently used
        try await fill(cache, third, "3")
        #expect(cache.statistics.entries == 2)
        #expect(cache.statistics.evictions == 1)
        guard case .exact = try await cache.lookup(first) else {
            Issue.record("the recently used entry must survive")
            return
        }
        guard case .miss = try await cache.lookup(second) else {
            Issue.record("the least recently used entry must be evicted")
            return
        }
    }

    @Test func theMemoryBoundEvictsToMakeRoom() async throws {
        // Each entry costs its vector, its overhead and ~64 bytes of text: three fit, four do not.
        let entryBytes = 384 * 4 + CacheStore.entryOverhead + 100
        let cache = makeCache(.init(maxEntries: 1000, maxBytes: entryBytes * 3), threshold: 0.99)
        for index in 0..<10 {
            try await fill(cache, ChatRequest(prompt: "question number \(index) on topic \(index * 31)", tenant: "acme"), "answer \(index)")
        }
        let statistics = cache.statistics
        #expect(statistics.bytes <= entryBytes * 3)
        #expect(statistics.entries == 3)
        #expect(statistics.evictions == 7)
    }

    @Test func invalidationByTenantLeavesOtherTenantsAlone() async throws {
        let cache = makeCache()
        try await fill(cache, ChatRequest(prompt: "What is DNA?", tenant: "acme"), "a")
        try await fill(cache, ChatRequest(prompt: "What is DNA?", tenant: "globex"), "b")
        #expect(cache.invalidate(tenant: "acme") == 1)
        guard case .miss = try await cache.lookup(ChatRequest(prompt: "What is DNA?", tenant: "acme")) else {
            Issue.record("acme's entry must be gone")
            return
        }
        guard case .exact = try await cache.lookup(ChatRequest(prompt: "What is DNA?", tenant: "globex")) else {
            Issue.record("globex's entry must stay")
            return
        }
    }

    @Test func invalidationByModelLeavesOtherModelsAndTenantsAlone() async throws {
        let cache = makeCache()
        try await fill(cache, ChatRequest(prompt: "What is DNA?", model: "small", tenant: "acme"), "a")
        try await fill(cache, ChatRequest(prompt: "What is DNA?", model: "frontier", tenant: "acme"), "b")
        try await fill(cache, ChatRequest(prompt: "What is DNA?", model: "small", tenant: "globex"), "c")
        #expect(cache.invalidate(tenant: "acme", model: "small") == 1)
        #expect(cache.statistics.entries == 2)
        #expect(cache.invalidate(model: "small") == 1)
        guard case .exact = try await cache.lookup(ChatRequest(prompt: "What is DNA?", model: "frontier", tenant: "acme")) else {
            Issue.record("acme's frontier entry must stay")
            return
        }
    }
}

@Suite("Hashing embedder")
struct HashingEmbedderTests {
    let embedder = HashingEmbedder()

    func cosine(_ a: String, _ b: String) -> Float {
        zip(embedder.vector(for: a), embedder.vector(for: b)).reduce(0) { $0 + $1.0 * $1.1 }
    }

    @Test func vectorsAreUnitLengthAndDeterministic() {
        let vector = embedder.vector(for: "How do I learn Python?")
        let norm = vector.reduce(0) { $0 + $1 * $1 }
        #expect(abs(norm - 1) < 1e-5)
        #expect(vector.count == 384)
        #expect(vector == embedder.vector(for: "How do I learn Python?"))
    }

    @Test func emptyTextEmbedsToZeros() {
        #expect(embedder.vector(for: "  ?! ").allSatisfy { $0 == 0 })
    }

    @Test func paraphrasesAreCloserThanUnrelatedPrompts() {
        let paraphrase = cosine("What is the capital of France?", "what's the capital city of France")
        let unrelated = cosine("What is the capital of France?", "Implement a lock-free queue in Rust")
        #expect(paraphrase > 0.5)
        #expect(unrelated < 0.2)
        #expect(paraphrase > unrelated + 0.3)
    }
}
