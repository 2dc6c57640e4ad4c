/// The cache's data, guarded by ``SemanticCache``'s lock: entry slots in an intrusive LRU list,
/// an exact-match index, and one ``ScopeIndex`` per scope (an exact SIMD scan for small scopes,
/// an HNSW graph for large ones; float or int8 vectors).
struct CacheStore {
    /// A scope shared by all its entries: each holds this reference (8 bytes) rather than its
    /// own copy of the 104-byte ``CacheScope``.
    final class SharedScope: Sendable {
        let scope: CacheScope

        init(_ scope: CacheScope) {
            self.scope = scope
        }
    }

    struct Entry {
        var sharedScope: SharedScope
        var scope: CacheScope { sharedScope.scope }
        var tenant: String { scope.tenant }
        var exactHash: UInt64
        var normalized: String
        var prompt: String
        var answer: SemanticCache.Answer
        var expiresAt: ContinuousClock.Instant
        var bytes: Int
        var node: Int
        var newer: Int?
        var older: Int?
    }

    struct Match {
        var answer: SemanticCache.Answer
        var similarity: Float
        var prompt: String
    }

    let dimensions: Int
    private(set) var indexSettings: CacheIndexSettings
    private var slots: [Entry?] = []
    private var freeSlots: [Int] = []
    private var newest: Int?
    private var oldest: Int?
    private var exactIndex: [UInt64: Int] = [:]
    private var scopes: [CacheScope: ScopeIndex] = [:]
    private var sharedScopes: [CacheScope: SharedScope] = [:]
    private(set) var statistics = SemanticCache.Statistics()

    /// Fixed per-entry cost beyond text and vector: slot, LRU links, exact index and node map
    /// (160), and the HNSW links a node of a large scope holds at 16 neighbours (140).
    static let entryOverhead = 300

    init(dimensions: Int, indexSettings: CacheIndexSettings = CacheIndexSettings()) {
        self.dimensions = dimensions
        self.indexSettings = indexSettings
    }

    /// Bytes one entry's vector takes in the configured representation.
    var vectorBytes: Int {
        VectorRows.bytesPerRow(dimensions: dimensions, quantization: indexSettings.quantization)
    }

    mutating func exactMatch(hash: UInt64, scope: CacheScope, normalized: String, now: ContinuousClock.Instant) -> SemanticCache.Answer? {
        guard let slot = exactIndex[hash], let entry = slots[slot] else { return nil }
        guard entry.scope == scope, entry.normalized == normalized else { return nil }
        guard entry.expiresAt > now else {
            remove(slot: slot)
            statistics.expirations += 1
            return nil
        }
        touch(slot)
        return entry.answer
    }

    mutating func nearest(to query: [Float], scope: CacheScope, now: ContinuousClock.Instant) -> Match? {
        while true {
            guard let found = scopes[scope]?.nearest(to: query), let slot = scopes[scope]?.slot(found.node), let entry = slots[slot] else { return nil }
            if entry.expiresAt <= now {
                remove(slot: slot)
                statistics.expirations += 1
                continue
            }
            touch(slot)
            return Match(answer: entry.answer, similarity: found.similarity, prompt: entry.prompt)
        }
    }

    /// The most similar live entry of `scope` by an exact scan, whatever the scope's index, with
    /// no side effects (to measure the approximate index against).
    func exactNearest(to query: [Float], scope: CacheScope) -> Match? {
        guard let index = scopes[scope], let found = index.exactNearest(to: query), let entry = slots[index.slot(found.node)] else { return nil }
        return Match(answer: entry.answer, similarity: found.similarity, prompt: entry.prompt)
    }

    /// Bytes the store's structures take, by part: the entry records (texts of up to 15 UTF-8
    /// bytes are stored inline; longer ones are on the heap and not counted here, nor are the
    /// one-per-scope shared scopes), the
    /// exact-match dictionary (Swift's: 16-byte buckets, a power of two at most ¾ full), and the
    /// scopes' vector indexes.
    var memory: (entries: Int, exactIndex: Int, index: IndexBytes) {
        let buckets = exactIndex.capacity == 0 ? 0 : (exactIndex.capacity * 4 + 2) / 3
        return (
            slots.count * MemoryLayout<Entry?>.stride + freeSlots.count * MemoryLayout<Int>.stride,
            buckets * (MemoryLayout<UInt64>.stride + MemoryLayout<Int>.stride) + buckets / 8,
            scopes.values.reduce(IndexBytes()) { $0 + $1.bytes }
        )
    }

    /// Changes how many candidates graph searches keep, in every scope (the benchmark measures
    /// several values on one graph).
    mutating func setEfSearch(_ ef: Int) {
        indexSettings.efSearch = ef
        for index in scopes.values.indices { scopes.values[index].efSearch = ef }
    }

    /// Whether `scope` is searched through its approximate index.
    func isApproximate(_ scope: CacheScope) -> Bool {
        scopes[scope]?.isApproximate ?? false
    }

    mutating func insert(_ answer: SemanticCache.Answer, key: SemanticCache.Key, expiresAt: ContinuousClock.Instant, maxEntries: Int, maxBytes: Int) {
        if let existing = exactIndex[key.exactHash] { remove(slot: existing) }
        let bytes = key.prompt.utf8.count + key.normalized.utf8.count + answer.text.utf8.count + vectorBytes + Self.entryOverhead
        guard bytes <= maxBytes, maxEntries > 0 else { return }
        while statistics.entries >= maxEntries || statistics.bytes + bytes > maxBytes, let victim = oldest {
            remove(slot: victim)
            statistics.evictions += 1
        }
        let slot = freeSlots.popLast() ?? { slots.append(nil); return slots.count - 1 }()
        let node = scopes[key.scope, default: ScopeIndex(dimensions: dimensions, settings: indexSettings)].add(key.vector, slot: slot)
        let shared = sharedScopes[key.scope] ?? SharedScope(key.scope)
        sharedScopes[key.scope] = shared
        let entry = Entry(
            sharedScope: shared, exactHash: key.exactHash, normalized: key.normalized, prompt: key.prompt,
            answer: answer, expiresAt: expiresAt, bytes: bytes, node: node, newer: nil, older: newest
        )
        slots[slot] = entry
        if let newest { slots[newest]?.newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
        exactIndex[key.exactHash] = slot
        statistics.entries += 1
        statistics.bytes += bytes
        statistics.insertions += 1
    }

    /// Every live entry with its vector, oldest use first (so a reload keeps the LRU order).
    func export(now: ContinuousClock.Instant) -> [(entry: Entry, vector: [Float])] {
        var result: [(Entry, [Float])] = []
        var cursor = oldest
        while let slot = cursor, let entry = slots[slot] {
            if entry.expiresAt > now, let index = scopes[entry.scope] {
                result.append((entry, index.vector(entry.node)))
            }
            cursor = entry.newer
        }
        return result
    }

    mutating func removeAll(where shouldRemove: (Entry) -> Bool) -> Int {
        var removed = 0
        for slot in slots.indices {
            if let entry = slots[slot], shouldRemove(entry) {
                remove(slot: slot)
                removed += 1
            }
        }
        return removed
    }

    private mutating func touch(_ slot: Int) {
        guard newest != slot else { return }
        unlink(slot)
        slots[slot]?.older = newest
        slots[slot]?.newer = nil
        if let newest { slots[newest]?.newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        guard let entry = slots[slot] else { return }
        if let newer = entry.newer { slots[newer]?.older = entry.older } else { newest = entry.older }
        if let older = entry.older { slots[older]?.newer = entry.newer } else { oldest = entry.newer }
    }

    private mutating func remove(slot: Int) {
        guard let entry = slots[slot] else { return }
        unlink(slot)
        if exactIndex[entry.exactHash] == slot { exactIndex[entry.exactHash] = nil }
        if let moved = scopes[entry.scope]?.remove(entry.node) {
            for relocation in moved { slots[relocation.slot]?.node = relocation.node }
            if scopes[entry.scope]?.live == 0 {
                scopes[entry.scope] = nil
                sharedScopes[entry.scope] = nil
            }
        }
        slots[slot] = nil
        freeSlots.append(slot)
        statistics.entries -= 1
        statistics.bytes -= entry.bytes
    }
}
