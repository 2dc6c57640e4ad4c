@testable import ServingEngine
import TestSupport
import Testing

/// The per-scope vector index: HNSW recall against the exact scan, removals, scopes, int8.
/// Small 32-d sets keep debug builds quick; the structure is the same as at 384-d.
@Suite("Cache index")
struct CacheIndexTests {
    static let dimensions = 32
    let now = ContinuousClock.now

    func scope(_ tenant: String) -> CacheScope {
        CacheScope(tenant: tenant, model: "m", systemPromptHash: 0, sampling: .init(), contextHash: 0)
    }

    func key(_ name: String, _ vector: [Float], scope: CacheScope) -> SemanticCache.Key {
        let hash = HashingEmbedder.combine(HashingEmbedder.hash(name.utf8), scope.stableHash)
        return SemanticCache.Key(scope: scope, normalized: name, prompt: name, exactHash: hash, vector: vector)
    }

    func answer(_ text: String) -> SemanticCache.Answer {
        .init(text: text, usage: .init(), provider: "p", model: "m")
    }

    func settings(annMinEntries: Int = 100, quantization: CacheIndexSettings.Quantization = .none, seed: UInt64 = 0x5EED) -> CacheIndexSettings {
        CacheIndexSettings(quantization: quantization, annMinEntries: annMinEntries, efSearch: 48, efConstruction: 64, neighbors: 12, seed: seed)
    }

    /// A store holding `vectors` as entries "v0", "v1", … of `scopes`.
    func store(_ vectors: [[Float]], scopes: [CacheScope], settings: CacheIndexSettings, maxEntries: Int = 1_000_000) -> CacheStore {
        var store = CacheStore(dimensions: Self.dimensions, indexSettings: settings)
        for scope in scopes {
            for (index, vector) in vectors.enumerated() {
                store.insert(answer("\(scope.tenant) \(index)"), key: key("v\(index)", vector, scope: scope), expiresAt: now + .seconds(60), maxEntries: maxEntries, maxBytes: 1 << 40)
            }
        }
        return store
    }

    func clustered(_ count: Int, seed: UInt64 = 1) -> (vectors: [[Float]], generator: ClusteredVectors) {
        var generator = ClusteredVectors(dimensions: Self.dimensions, clusters: max(1, count / 50), spread: 0.6, seed: seed)
        return ((0..<count).map { _ in generator.next() }, generator)
    }

    @Test(arguments: CacheIndexSettings.Quantization.allCases)
    func hnswFindsTheExactNearestForAtLeast95PercentOfQueries(quantization: CacheIndexSettings.Quantization) {
        var (vectors, generator) = clustered(2_000)
        let acme = scope("acme")
        var store = store(vectors, scopes: [acme], settings: settings(quantization: quantization))
        #expect(store.isApproximate(acme))
        var agree = 0
        let queries = (0..<200).map { generator.perturb(vectors[$0 * 7 % vectors.count], cosine: 0.9) } + (0..<100).map { _ in generator.next() }
        for query in queries {
            let exact = store.exactNearest(to: query, scope: acme)
            let approximate = store.nearest(to: query, scope: acme, now: now)
            if exact?.answer == approximate?.answer { agree += 1 }
        }
        #expect(agree >= queries.count * 95 / 100, "recall@1 \(agree)/\(queries.count)")
        vectors.removeAll()
    }

    @Test(arguments: CacheIndexSettings.Quantization.allCases)
    func removedEntriesAreNeverReturnedByTheApproximateIndex(quantization: CacheIndexSettings.Quantization) {
        let (vectors, _) = clustered(1_000, seed: 2)
        let acme = scope("acme")
        var store = store(vectors, scopes: [acme], settings: settings(quantization: quantization))
        #expect(store.isApproximate(acme))
        // Invalidate every third entry: tombstones in the graph.
        let removed = store.removeAll { Int($0.prompt.dropFirst())! % 3 == 0 }
        #expect(removed == 334)
        #expect(store.isApproximate(acme))
        for index in stride(from: 0, to: vectors.count, by: 3) {
            let match = store.nearest(to: vectors[index], scope: acme, now: now)
            #expect(match != nil)
            #expect(Int(match!.prompt.dropFirst())! % 3 != 0, "a removed entry came back: \(match!.prompt)")
        }
        // Fresh inserts reuse the tombstones and are found.
        for index in 0..<200 {
            store.insert(answer("new \(index)"), key: key("n\(index)", vectors[index * 3 % vectors.count].map { -$0 }, scope: acme), expiresAt: now + .seconds(60), maxEntries: 1_000_000, maxBytes: 1 << 40)
        }
        var found = 0
        for index in 0..<200 where store.nearest(to: vectors[index * 3 % vectors.count].map { -$0 }, scope: acme, now: now)?.prompt == "n\(index)" { found += 1 }
        #expect(found >= 195, "re-inserted entries found \(found)/200")
    }

    @Test func expiredAndEvictedEntriesAreNeverReturned() {
        let (vectors, _) = clustered(600, seed: 3)
        let acme = scope("acme")
        var store = CacheStore(dimensions: Self.dimensions, indexSettings: settings())
        for (index, vector) in vectors.enumerated() {
            // Odd entries live 1 s, even ones a minute; at most 500 entries, so the first 100 are evicted.
            let ttl: Duration = index % 2 == 1 ? .seconds(1) : .seconds(60)
            store.insert(answer("\(index)"), key: key("v\(index)", vector, scope: acme), expiresAt: now + ttl, maxEntries: 500, maxBytes: 1 << 40)
        }
        #expect(store.statistics.evictions == 100)
        #expect(store.isApproximate(acme))
        let later = now + .seconds(2)
        for (index, vector) in vectors.enumerated() {
            guard let match = store.nearest(to: vector, scope: acme, now: later) else { continue }
            let matched = Int(match.prompt.dropFirst())!
            #expect(matched >= 100 && matched % 2 == 0, "query \(index) got \(match.prompt), which was evicted or expired")
        }
    }

    @Test func scopesNeverCrossWithTheApproximateIndex() {
        let (vectors, _) = clustered(500, seed: 4)
        let acme = scope("acme"), globex = scope("globex")
        var store = store(vectors, scopes: [acme, globex], settings: settings())
        #expect(store.isApproximate(acme) && store.isApproximate(globex))
        for vector in vectors.prefix(100) {
            #expect(store.nearest(to: vector, scope: acme, now: now)?.answer.text.hasPrefix("acme ") == true)
            #expect(store.nearest(to: vector, scope: globex, now: now)?.answer.text.hasPrefix("globex ") == true)
        }
        #expect(store.nearest(to: vectors[0], scope: scope("initech"), now: now) == nil)
    }

    @Test func crossingTheSizeThresholdKeepsTheAnswers() {
        let (vectors, _) = clustered(301, seed: 5)
        let acme = scope("acme")
        var store = store(Array(vectors.prefix(300)), scopes: [acme], settings: settings(annMinEntries: 300))
        #expect(!store.isApproximate(acme))
        let before = vectors.prefix(300).map { store.nearest(to: $0, scope: acme, now: now)?.prompt }
        store.insert(answer("last"), key: key("v300", vectors[300], scope: acme), expiresAt: now + .seconds(60), maxEntries: 1_000_000, maxBytes: 1 << 40)
        #expect(store.isApproximate(acme))
        let after = vectors.prefix(300).map { store.nearest(to: $0, scope: acme, now: now)?.prompt }
        #expect(before == (0..<300).map { "v\($0)" })
        #expect(after == before)
        // Shrinking below half the threshold goes back to the exact scan with the same answers.
        _ = store.removeAll { Int($0.prompt.dropFirst())! >= 140 }
        #expect(!store.isApproximate(acme))
        let shrunk = vectors.prefix(140).map { store.nearest(to: $0, scope: acme, now: now)?.prompt }
        #expect(shrunk == (0..<140).map { "v\($0)" })
    }

    @Test func theSameSeedBuildsTheSameIndex() {
        var (vectors, generator) = clustered(800, seed: 6)
        let acme = scope("acme")
        var first = store(vectors, scopes: [acme], settings: settings())
        var second = store(vectors, scopes: [acme], settings: settings())
        let queries = (0..<100).map { _ in generator.next() }
        let a = queries.map { first.nearest(to: $0, scope: acme, now: now).map { [$0.prompt, "\($0.similarity)"] } }
        let b = queries.map { second.nearest(to: $0, scope: acme, now: now).map { [$0.prompt, "\($0.similarity)"] } }
        #expect(a == b)
        vectors.removeAll()
    }

    @Test func int8SimilarityIsWithinTolerance() {
        // 384-d as in the real embedders: the error depends on the dimension.
        var generator = ClusteredVectors(dimensions: 384, clusters: 20, spread: 0.8, seed: 7)
        let vectors = (0..<200).map { _ in generator.next() }
        var rows = VectorRows(dimensions: 384, quantization: .int8)
        for vector in vectors { rows.append(vector) }
        var worst: Float = 0
        for (index, vector) in vectors.enumerated() {
            let query = generator.perturb(vector, cosine: 0.95)
            let prepared = rows.query(query)
            for row in [index, (index + 1) % vectors.count, (index + 57) % vectors.count] {
                let exact = zip(query, vectors[row]).reduce(0) { $0 + $1.0 * $1.1 }
                worst = max(worst, abs(rows.similarity(prepared, row) - exact))
            }
        }
        #expect(worst < 0.005, "largest int8 similarity error \(worst)")
        #expect(worst > 0, "int8 must actually quantise")
    }

    @Test func int8StoreExportsDequantisedVectorsAndCountsFewerBytes() {
        let (vectors, _) = clustered(200, seed: 8)
        let acme = scope("acme")
        let float = store(vectors, scopes: [acme], settings: settings(quantization: .none))
        let int8 = store(vectors, scopes: [acme], settings: settings(quantization: .int8))
        #expect(float.statistics.bytes - int8.statistics.bytes == 200 * (Self.dimensions * 4 - Self.dimensions - 4))
        let exported = int8.export(now: now)
        #expect(exported.count == 200)
        for item in exported {
            let original = vectors[Int(item.entry.prompt.dropFirst())!]
            let error = zip(original, item.vector).map { abs($0 - $1) }.max() ?? 1
            #expect(error < 0.01)
        }
    }

    @Test func memoryAccountingCountsVectorsLinksAndNodes() {
        let (vectors, _) = clustered(300, seed: 9)
        let acme = scope("acme")
        let graph = store(vectors, scopes: [acme], settings: settings(quantization: .int8)).memory
        #expect(graph.index.vectors == 300 * (Self.dimensions + 4))
        // A 16-bit count and 24 three-byte ids per node.
        #expect(graph.index.layer0Links == 300 * (2 + 2 * 12 * 3))
        #expect(graph.index.upperLinks > 0 && graph.index.upperLinks < graph.index.layer0Links / 4)
        #expect(graph.index.perNode == 300 * (1 + 4 + 2 + 4))
        #expect(MemoryLayout<CacheStore.Entry>.stride == 56)
        #expect(graph.entries == 300 * 56)
        // The texts are the prompts and answers' bytes ("n0"…"n299", "a…"), nothing per entry besides.
        #expect(graph.texts < 300 * 16)
        // 4-byte buckets, at most ¾ full: 512 for 300 entries.
        #expect(graph.exactIndex == 512 * 4)
        // Below the threshold there is no graph: vectors and the node → slot map only.
        let flat = store(vectors, scopes: [acme], settings: settings(annMinEntries: 1_000, quantization: .int8)).memory
        #expect(flat.index == IndexBytes(vectors: 300 * (Self.dimensions + 4), perNode: 300 * 4))
    }

    @Test func configurationReadsTheIndexSection() throws {
        let providers = """
            providers:
              - name: local
            tiers:
              - name: small
                chain: [local]

            """
        let configuration = try ConfigurationLoader.parse(providers + """
            cache:
              index:
                quantize: int8
                ann_min_entries: 20000
                ef_search: 96
            """, source: "test.yaml")
        #expect(configuration.cache.index.quantization == .int8)
        #expect(configuration.cache.index.annMinEntries == 20_000)
        #expect(configuration.cache.index.efSearch == 96)
        #expect(throws: ConfigError.self) {
            try ConfigurationLoader.parse(providers + "cache:\n  index:\n    quantize: int4\n", source: "test.yaml")
        }
    }
}
