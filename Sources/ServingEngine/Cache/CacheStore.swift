/// The cache's data, guarded by ``SemanticCache``'s lock: entry slots in an intrusive LRU list,
/// an exact-match index, and one contiguous vector matrix per scope for a flat SIMD-friendly scan.
struct CacheStore {
    struct Entry {
        var scope: CacheScope
        var tenant: String { scope.tenant }
        var exactHash: UInt64
        var normalized: String
        var prompt: String
        var answer: SemanticCache.Answer
        var expiresAt: ContinuousClock.Instant
        var bytes: Int
        var rowInScope: Int
        var newer: Int?
        var older: Int?
    }

    struct ScopeMatrix {
        var vectors: [Float] = []
        var slots: [Int] = []
    }

    struct Match {
        var answer: SemanticCache.Answer
        var similarity: Float
        var prompt: String
    }

    let dimensions: Int
    private var slots: [Entry?] = []
    private var freeSlots: [Int] = []
    private var newest: Int?
    private var oldest: Int?
    private var exactIndex: [UInt64: Int] = [:]
    private var scopes: [CacheScope: ScopeMatrix] = [:]
    private(set) var statistics = SemanticCache.Statistics()

    /// Fixed per-entry cost beyond text and vector: slot, index and matrix bookkeeping.
    static let entryOverhead = 160

    init(dimensions: Int) {
        self.dimensions = dimensions
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
            guard let matrix = scopes[scope], !matrix.slots.isEmpty else { return nil }
            let (row, similarity) = Self.bestRow(of: matrix.vectors, rows: matrix.slots.count, dimensions: dimensions, query: query)
            let slot = matrix.slots[row]
            guard let entry = slots[slot] else { return nil }
            if entry.expiresAt <= now {
                remove(slot: slot)
                statistics.expirations += 1
                continue
            }
            touch(slot)
            return Match(answer: entry.answer, similarity: similarity, prompt: entry.prompt)
        }
    }

    mutating func insert(_ answer: SemanticCache.Answer, key: SemanticCache.Key, expiresAt: ContinuousClock.Instant, maxEntries: Int, maxBytes: Int) {
        if let existing = exactIndex[key.exactHash] { remove(slot: existing) }
        let bytes = key.prompt.utf8.count + key.normalized.utf8.count + answer.text.utf8.count + dimensions * 4 + Self.entryOverhead
        guard bytes <= maxBytes, maxEntries > 0 else { return }
        while statistics.entries >= maxEntries || statistics.bytes + bytes > maxBytes, let victim = oldest {
            remove(slot: victim)
            statistics.evictions += 1
        }
        var matrix = scopes.removeValue(forKey: key.scope) ?? ScopeMatrix()
        let slot = freeSlots.popLast() ?? { slots.append(nil); return slots.count - 1 }()
        let entry = Entry(
            scope: key.scope, exactHash: key.exactHash, normalized: key.normalized, prompt: key.prompt,
            answer: answer, expiresAt: expiresAt, bytes: bytes, rowInScope: matrix.slots.count, newer: nil, older: newest
        )
        matrix.vectors.append(contentsOf: key.vector)
        matrix.slots.append(slot)
        scopes[key.scope] = matrix
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
            if entry.expiresAt > now, let matrix = scopes[entry.scope] {
                let start = entry.rowInScope * dimensions
                result.append((entry, Array(matrix.vectors[start..<(start + dimensions)])))
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
        if var matrix = scopes.removeValue(forKey: entry.scope) {
            let row = entry.rowInScope
            let last = matrix.slots.count - 1
            if row != last {
                let movedSlot = matrix.slots[last]
                matrix.slots[row] = movedSlot
                let d = dimensions
                matrix.vectors.withUnsafeMutableBufferPointer { vectors in
                    for i in 0..<d { vectors[row * d + i] = vectors[last * d + i] }
                }
                slots[movedSlot]?.rowInScope = row
            }
            matrix.slots.removeLast()
            matrix.vectors.removeLast(dimensions)
            if !matrix.slots.isEmpty { scopes[entry.scope] = matrix }
        }
        slots[slot] = nil
        freeSlots.append(slot)
        statistics.entries -= 1
        statistics.bytes -= entry.bytes
    }

    /// The row with the largest dot product with `query`. Vectors are unit length, so this is cosine.
    static func bestRow(of vectors: [Float], rows: Int, dimensions: Int, query: [Float]) -> (row: Int, similarity: Float) {
        var bestRow = 0
        var best = -Float.infinity
        vectors.withUnsafeBufferPointer { matrix in
            query.withUnsafeBufferPointer { q in
                for row in 0..<rows {
                    let base = row * dimensions
                    var sum0: Float = 0, sum1: Float = 0, sum2: Float = 0, sum3: Float = 0
                    var i = 0
                    while i + 4 <= dimensions {
                        sum0 += matrix[base + i] * q[i]
                        sum1 += matrix[base + i + 1] * q[i + 1]
                        sum2 += matrix[base + i + 2] * q[i + 2]
                        sum3 += matrix[base + i + 3] * q[i + 3]
                        i += 4
                    }
                    var sum = (sum0 + sum1) + (sum2 + sum3)
                    while i < dimensions {
                        sum += matrix[base + i] * q[i]
                        i += 1
                    }
                    if sum > best {
                        best = sum
                        bestRow = row
                    }
                }
            }
        }
        return (bestRow, best)
    }
}
