/// The cache's data, guarded by ``SemanticCache``'s lock: entry slots in an intrusive LRU list,
/// an exact-match index, and one ``ScopeIndex`` per scope (an exact SIMD scan for small scopes,
/// an HNSW graph for large ones; float or int8 vectors).
///
/// An entry's record is 56 bytes of 32-bit fields: its texts sit in a ``TextArena``, its scope
/// and its provider and model are numbers into tables shared by every entry that has them, its
/// LRU links are slot numbers, and the exact-match index (``ExactTable``) holds 4-byte slot
/// numbers. The normalised prompt is not stored: it is the prompt normalised again, only when an
/// exact match has to be confirmed.
package struct CacheStore {
    /// One slot's record; `node < 0` marks a free slot.
    struct Entry {
        /// Where the prompt starts in the arena; the answer text follows it.
        var textOffset: UInt32
        var promptLength: UInt32
        var answerLength: UInt32
        /// Into `scopeTable`.
        var scope: UInt32
        var exactHash: UInt64
        /// Nanoseconds after the store's epoch.
        var expiresAt: Int64
        var promptTokens: UInt32
        var completionTokens: UInt32
        /// Into `sources`: the provider and model that answered.
        var source: UInt32
        /// The entry's node in its scope's index.
        var node: Int32
        var newer: UInt32
        var older: UInt32

        var isFree: Bool { node < 0 }
        var answerOffset: UInt32 { textOffset + promptLength }
    }

    /// An entry as its parts, for the rare callers that need them all (invalidation, export).
    struct StoredEntry {
        var scope: CacheScope
        var prompt: String
        var answer: SemanticCache.Answer
        var expiresAt: ContinuousClock.Instant
        var tenant: String { scope.tenant }
        var normalized: String { PromptNormalizer.normalize(prompt) }
    }

    package struct Match {
        package var answer: SemanticCache.Answer
        package var similarity: Float
        package var prompt: String
    }

    private struct ScopeRecord {
        var scope: CacheScope
        var index: ScopeIndex
    }

    private struct Source: Hashable {
        var provider: String
        var model: String
    }

    private static let none = UInt32.max

    let dimensions: Int
    private(set) var indexSettings: CacheIndexSettings
    /// The instant `expiresAt` counts from.
    private let epoch: ContinuousClock.Instant
    private var slots: [Entry] = []
    private var freeSlots: [UInt32] = []
    private var newest = none
    private var oldest = none
    private var exactIndex = ExactTable()
    private var texts = TextArena()
    private var scopeTable: [ScopeRecord?] = []
    private var scopeIDs: [CacheScope: UInt32] = [:]
    private var freeScopeIDs: [UInt32] = []
    // Provider and model pairs: a handful per configuration, kept for the store's lifetime.
    private var sources: [Source] = []
    private var sourceIDs: [Source: UInt32] = [:]
    /// The detail of the few answers that are more than one finished text (tool calls, several
    /// choices…), by slot, with the bytes each is counted as; plain answers pay nothing for it.
    private var details: [UInt32: (detail: AnswerDetail, bytes: Int)] = [:]
    package private(set) var statistics = SemanticCache.Statistics()

    /// Fixed per-entry cost beyond text and vector, for the byte budget: the record (56), the
    /// exact index (~8), the node map (4), and the HNSW links and per-node data a node of a large
    /// scope holds at 16 neighbours (~110).
    static let entryOverhead = 180

    package init(dimensions: Int, indexSettings: CacheIndexSettings = CacheIndexSettings()) {
        self.dimensions = dimensions
        self.indexSettings = indexSettings
        epoch = .now
    }

    /// Bytes one entry's vector takes in the configured representation.
    var vectorBytes: Int {
        VectorRows.bytesPerRow(dimensions: dimensions, quantization: indexSettings.quantization)
    }

    mutating func exactMatch(hash: UInt64, scope: CacheScope, normalized: String, now: ContinuousClock.Instant) -> SemanticCache.Answer? {
        guard let slot = findExact(hash) else { return nil }
        let entry = slots[Int(slot)]
        guard scopeTable[Int(entry.scope)]?.scope == scope, PromptNormalizer.normalize(prompt(of: entry)) == normalized else { return nil }
        guard entry.expiresAt > ticks(now) else {
            remove(slot: slot)
            statistics.expirations += 1
            return nil
        }
        touch(slot)
        return answer(of: entry, slot: slot)
    }

    package mutating func nearest(to query: [Float], scope: CacheScope, now: ContinuousClock.Instant) -> Match? {
        guard let id = scopeIDs[scope] else { return nil }
        let nowTicks = ticks(now)
        while true {
            guard let found = scopeTable[Int(id)]?.index.nearest(to: query), let slot = scopeTable[Int(id)]?.index.slot(found.node) else { return nil }
            let entry = slots[slot]
            if entry.expiresAt <= nowTicks {
                let last = scopeTable[Int(id)]?.index.live == 1
                remove(slot: UInt32(slot))
                statistics.expirations += 1
                if last { return nil }
                continue
            }
            touch(UInt32(slot))
            return Match(answer: answer(of: entry, slot: UInt32(slot)), similarity: found.similarity, prompt: prompt(of: entry))
        }
    }

    /// The most similar live entry of `scope` by an exact scan, whatever the scope's index, with
    /// no side effects (to measure the approximate index against).
    package func exactNearest(to query: [Float], scope: CacheScope) -> Match? {
        guard let id = scopeIDs[scope], let index = scopeTable[Int(id)]?.index, let found = index.exactNearest(to: query) else { return nil }
        let slot = index.slot(found.node)
        return Match(answer: answer(of: slots[slot], slot: UInt32(slot)), similarity: found.similarity, prompt: prompt(of: slots[slot]))
    }

    /// Bytes the store's structures take, by part: the entry records and free-slot list, the
    /// texts (the arena, dead bytes included, plus the shared provider/model table; the
    /// one-per-scope scopes are not counted), the exact-match table, and the scopes' vector
    /// indexes.
    package var memory: (entries: Int, texts: Int, exactIndex: Int, index: IndexBytes) {
        let sourceBytes = sources.reduce(0) { $0 + $1.provider.utf8.count + $1.model.utf8.count + 32 }
        return (
            slots.count * MemoryLayout<Entry>.stride + freeSlots.count * MemoryLayout<UInt32>.stride,
            texts.bytes.count + sourceBytes + details.values.reduce(0) { $0 + $1.bytes },
            exactIndex.bytes,
            scopeTable.reduce(IndexBytes()) { $0 + ($1?.index.bytes ?? IndexBytes()) }
        )
    }

    /// Changes how many candidates graph searches keep, in every scope (the benchmark measures
    /// several values on one graph).
    package mutating func setEfSearch(_ ef: Int) {
        indexSettings.efSearch = ef
        for id in scopeTable.indices { scopeTable[id]?.index.efSearch = ef }
    }

    /// Whether `scope` is searched through its approximate index.
    package func isApproximate(_ scope: CacheScope) -> Bool {
        scopeIDs[scope].flatMap { scopeTable[Int($0)]?.index.isApproximate } ?? false
    }

    package mutating func insert(_ answer: SemanticCache.Answer, key: SemanticCache.Key, expiresAt: ContinuousClock.Instant, maxEntries: Int, maxBytes: Int) {
        if let existing = findExact(key.exactHash) { remove(slot: existing) }
        let promptLength = key.prompt.utf8.count, answerLength = answer.text.utf8.count
        let detailBytes = answer.detail.map { $0.jsonText.utf8.count + 64 } ?? 0
        let bytes = promptLength + answerLength + detailBytes + vectorBytes + Self.entryOverhead
        // A scope at the graph's 16.7 million nodes stores nothing more, as does a store at 2³² − 1 entries.
        guard bytes <= maxBytes, maxEntries > 0, slots.count - freeSlots.count < Int(Self.none),
              !(scopeIDs[key.scope].flatMap { scopeTable[Int($0)]?.index.isFull } ?? false) else { return }
        while statistics.entries >= maxEntries || statistics.bytes + bytes > maxBytes, oldest != Self.none {
            remove(slot: oldest)
            statistics.evictions += 1
        }
        if texts.shouldCompact { compactTexts() }
        guard let textOffset = texts.append(key.prompt, answer.text) else { return }
        let scope = scopeID(for: key.scope)
        let slot = freeSlots.popLast() ?? {
            slots.append(Entry(textOffset: 0, promptLength: 0, answerLength: 0, scope: 0, exactHash: 0, expiresAt: 0, promptTokens: 0, completionTokens: 0, source: 0, node: -1, newer: Self.none, older: Self.none))
            return UInt32(slots.count - 1)
        }()
        let node = scopeTable[Int(scope)]!.index.add(key.vector, slot: Int(slot))
        slots[Int(slot)] = Entry(
            textOffset: textOffset, promptLength: UInt32(promptLength), answerLength: UInt32(answerLength), scope: scope,
            exactHash: key.exactHash, expiresAt: ticks(expiresAt),
            promptTokens: UInt32(clamping: answer.usage.promptTokens), completionTokens: UInt32(clamping: answer.usage.completionTokens),
            source: sourceID(provider: answer.provider, model: answer.model), node: Int32(node), newer: Self.none, older: newest
        )
        if let detail = answer.detail { details[slot] = (detail, detailBytes) }
        if newest != Self.none { slots[Int(newest)].newer = slot }
        newest = slot
        if oldest == Self.none { oldest = slot }
        do {
            // A copy of the reference only (the closure cannot read `slots` while `exactIndex` is
            // being changed); the scope ends it before `slots` changes again, so nothing is copied.
            let entries = slots
            exactIndex.insert(key.exactHash, slot: slot) { entries[Int($0)].exactHash }
        }
        statistics.entries += 1
        statistics.bytes += bytes
        statistics.insertions += 1
    }

    /// Every live entry with its vector, oldest use first (so a reload keeps the LRU order).
    func export(now: ContinuousClock.Instant) -> [(entry: StoredEntry, vector: [Float])] {
        var result: [(StoredEntry, [Float])] = []
        let nowTicks = ticks(now)
        var cursor = oldest
        while cursor != Self.none {
            let entry = slots[Int(cursor)]
            if entry.expiresAt > nowTicks, let index = scopeTable[Int(entry.scope)]?.index {
                result.append((stored(entry, slot: cursor), index.vector(Int(entry.node))))
            }
            cursor = entry.newer
        }
        return result
    }

    mutating func removeAll(where shouldRemove: (StoredEntry) -> Bool) -> Int {
        var removed = 0
        for slot in slots.indices where !slots[slot].isFree && shouldRemove(stored(slots[slot], slot: UInt32(slot))) {
            remove(slot: UInt32(slot))
            removed += 1
        }
        return removed
    }

    // MARK: - Parts of an entry

    private func prompt(of entry: Entry) -> String {
        texts.string(at: entry.textOffset, length: entry.promptLength)
    }

    private func answer(of entry: Entry, slot: UInt32) -> SemanticCache.Answer {
        let source = sources[Int(entry.source)]
        return SemanticCache.Answer(
            text: texts.string(at: entry.answerOffset, length: entry.answerLength),
            usage: TokenUsage(promptTokens: Int(entry.promptTokens), completionTokens: Int(entry.completionTokens)),
            provider: source.provider, model: source.model, detail: details[slot]?.detail
        )
    }

    private func stored(_ entry: Entry, slot: UInt32) -> StoredEntry {
        StoredEntry(scope: scopeTable[Int(entry.scope)]!.scope, prompt: prompt(of: entry), answer: answer(of: entry, slot: slot), expiresAt: epoch + .nanoseconds(entry.expiresAt))
    }

    private func ticks(_ instant: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = (instant - epoch).components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        return scaled.addingReportingOverflow(attoseconds / 1_000_000_000).overflow ? .max : scaled + attoseconds / 1_000_000_000
    }

    private func findExact(_ hash: UInt64) -> UInt32? {
        exactIndex.find(hash) { slots[Int($0)].exactHash }
    }

    private mutating func scopeID(for scope: CacheScope) -> UInt32 {
        if let id = scopeIDs[scope] { return id }
        let record = ScopeRecord(scope: scope, index: ScopeIndex(dimensions: dimensions, settings: indexSettings))
        let id: UInt32
        if let reused = freeScopeIDs.popLast() {
            id = reused
            scopeTable[Int(id)] = record
        } else {
            id = UInt32(scopeTable.count)
            scopeTable.append(record)
        }
        scopeIDs[scope] = id
        return id
    }

    private mutating func sourceID(provider: String, model: String) -> UInt32 {
        let source = Source(provider: provider, model: model)
        if let id = sourceIDs[source] { return id }
        let id = UInt32(sources.count)
        sources.append(source)
        sourceIDs[source] = id
        return id
    }

    // MARK: - Upkeep

    /// Rewrites the arena with the live texts only, in slot order.
    private mutating func compactTexts() {
        let live = slots.indices.filter { !slots[$0].isFree }
        let (arena, offsets) = texts.compacted(keeping: live.map { (slots[$0].textOffset, slots[$0].promptLength + slots[$0].answerLength) })
        for (slot, offset) in zip(live, offsets) { slots[slot].textOffset = offset }
        texts = arena
    }

    private mutating func touch(_ slot: UInt32) {
        guard newest != slot else { return }
        unlink(slot)
        slots[Int(slot)].older = newest
        slots[Int(slot)].newer = Self.none
        if newest != Self.none { slots[Int(newest)].newer = slot }
        newest = slot
        if oldest == Self.none { oldest = slot }
    }

    private mutating func unlink(_ slot: UInt32) {
        let entry = slots[Int(slot)]
        if entry.newer != Self.none { slots[Int(entry.newer)].older = entry.older } else { newest = entry.older }
        if entry.older != Self.none { slots[Int(entry.older)].newer = entry.newer } else { oldest = entry.newer }
    }

    private mutating func remove(slot: UInt32) {
        let entry = slots[Int(slot)]
        guard !entry.isFree else { return }
        unlink(slot)
        do {
            let entries = slots
            exactIndex.remove(entry.exactHash, slot: slot) { entries[Int($0)].exactHash }
        }
        let scope = Int(entry.scope)
        if let moved = scopeTable[scope]?.index.remove(Int(entry.node)) {
            for relocation in moved { slots[relocation.slot].node = Int32(relocation.node) }
            if let record = scopeTable[scope], record.index.live == 0 {
                scopeIDs[record.scope] = nil
                scopeTable[scope] = nil
                freeScopeIDs.append(UInt32(scope))
            }
        }
        texts.release(entry.promptLength + entry.answerLength)
        let detailBytes = details.removeValue(forKey: slot)?.bytes ?? 0
        slots[Int(slot)].node = -1
        slots[Int(slot)].newer = Self.none
        slots[Int(slot)].older = Self.none
        freeSlots.append(slot)
        statistics.entries -= 1
        statistics.bytes -= Int(entry.promptLength) + Int(entry.answerLength) + detailBytes + vectorBytes + Self.entryOverhead
    }
}
