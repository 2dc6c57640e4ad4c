import CVectorKernels
import Foundation

/// A hierarchical navigable small-world graph (Malkov & Yashunin, 2018) over the rows of a
/// ``VectorRows``: node `n` is row `n`.
///
/// Links are node ids in flat preallocated arrays (layer 0: a 16-bit count and `2 × neighbors`
/// 24-bit ids per node, 98 bytes at 16 neighbours instead of 132 as Int32; upper layers: Int32
/// counts and ids, `neighbors` per node per level, only for the ~1/`neighbors` of nodes that have
/// any), so a node costs no allocation of its own. 24-bit ids cap a graph at ``maxNodes``. Levels come from a seeded generator: the same inserts
/// in the same order build the same graph.
///
/// Searches are bound by memory latency once the vectors outgrow the caches (1M int8 vectors are
/// 388 MB): each expanded node's unvisited neighbours are compared in one kernel call that
/// prefetches every row before its product, the next candidate's links are prefetched meanwhile,
/// and the visit stamps, heaps and neighbour buffers are reused, so a search allocates nothing
/// per node. Inserts are searches too, so this is what sets the construction rate.
///
/// Deleted nodes are the owner's business: searches take a `live` map and never return a node
/// whose entry is -1, but still walk through such nodes, so that removals do not cut the graph.
/// A removed node can be reused for a new vector (``insert(_:rows:)`` on an existing node): its
/// own links are rebuilt, links pointing at it from elsewhere stay and lead to the new vector.
struct HNSWGraph {
    let neighbors: Int
    let layer0Neighbors: Int
    let efConstruction: Int
    private let levelScale: Double
    private var random: SeededRandom
    private var levels: [UInt8] = []
    /// Per node, `layer0Stride` bytes: a little-endian UInt16 count, then `layer0Neighbors`
    /// little-endian 24-bit ids.
    private var layer0: [UInt8] = []
    private let layer0Stride: Int
    /// Per node: where its upper-layer links start in `upper`, or -1 for layer-0-only nodes.
    private var upperStart: [Int32] = []
    /// Per upper node and level ≥ 1: a count, then `neighbors` slots.
    private var upper: [Int32] = []
    private(set) var entryPoint: Int32 = -1
    private(set) var maxLevel = -1
    // Scratch reused by every search, so that visiting a node allocates nothing: the visit stamps
    // (node n was visited in this search when `visited[n] == visitMark`), the two heaps, and the
    // unvisited neighbours of one node with their similarities, computed in one kernel call.
    private var visited: [UInt16] = []
    private var visitMark: UInt16 = 0
    private var candidates = SimilarityHeap(capacity: 0)
    private var results = SimilarityHeap(capacity: 0)
    private var gathered: [Int32]
    private var gatheredSimilarities: [Float]
    private var linkSimilarities: [Float]

    init(settings: CacheIndexSettings) {
        neighbors = max(2, settings.neighbors)
        layer0Neighbors = 2 * neighbors
        layer0Stride = 2 + 3 * layer0Neighbors
        efConstruction = max(settings.efConstruction, neighbors)
        levelScale = 1 / log(Double(neighbors))
        random = SeededRandom(seed: settings.seed)
        gathered = [Int32](repeating: 0, count: layer0Neighbors)
        gatheredSimilarities = [Float](repeating: 0, count: layer0Neighbors)
        linkSimilarities = [Float](repeating: 0, count: layer0Neighbors)
    }

    var nodeCount: Int { levels.count }

    /// The most nodes a graph holds: layer-0 ids are 24 bits.
    static let maxNodes = 1 << 24

    /// Bytes the graph takes: layer-0 links, upper-layer links, and per node its level, where its
    /// upper links start and its visit stamp (spare capacity not counted).
    var bytes: (layer0: Int, upper: Int, perNode: Int) {
        (
            layer0.count,
            upper.count * MemoryLayout<Int32>.stride,
            levels.count * (MemoryLayout<UInt8>.stride + MemoryLayout<Int32>.stride + MemoryLayout<UInt16>.stride)
        )
    }

    mutating func reserve(_ nodes: Int) {
        levels.reserveCapacity(nodes)
        layer0.reserveCapacity(nodes * layer0Stride)
        upperStart.reserveCapacity(nodes)
        visited.reserveCapacity(nodes)
    }

    /// Links `node` into the graph: a new node (`node == nodeCount`) or a removed one being reused.
    mutating func insert(_ node: Int32, rows: VectorRows) {
        let level: Int
        if Int(node) == nodeCount {
            level = drawLevel()
            levels.append(UInt8(level))
            precondition(nodeCount < Self.maxNodes, "an HNSW graph holds at most \(Self.maxNodes) nodes")
            layer0.append(contentsOf: repeatElement(0, count: layer0Stride))
            if level > 0 {
                upperStart.append(Int32(upper.count))
                upper.append(contentsOf: repeatElement(0, count: level * (neighbors + 1)))
            } else {
                upperStart.append(-1)
            }
            visited.append(0)
        } else {
            precondition(node != entryPoint, "the entry point cannot be reused")
            level = Int(levels[Int(node)])
            for l in 0...level { setLinks(of: node, level: l, to: []) }
        }
        guard entryPoint >= 0 else {
            entryPoint = node
            maxLevel = level
            return
        }
        let query = rows.query(row: Int(node))
        var current = entryPoint
        var currentSimilarity = rows.similarity(query, Int(current))
        if level < maxLevel {
            for l in stride(from: maxLevel, to: level, by: -1) {
                (current, currentSimilarity) = greedy(query, from: current, similarity: currentSimilarity, level: l, rows: rows, skipping: node)
            }
        }
        var entries = [(key: currentSimilarity, node: current)]
        for l in stride(from: min(level, maxLevel), through: 0, by: -1) {
            let found = searchLayer(query, entries: entries, ef: efConstruction, level: l, rows: rows, live: nil, skipping: node)
            let chosen = selectNeighbors(found, count: neighbors, rows: rows)
            setLinks(of: node, level: l, to: chosen.map(\.node))
            for neighbor in chosen {
                connect(neighbor.node, to: node, query: query, similarity: neighbor.key, level: l, rows: rows)
            }
            if !found.isEmpty { entries = found }
        }
        if level > maxLevel {
            entryPoint = node
            maxLevel = level
        }
    }

    /// The live node most similar to `query`, looking at `ef` candidates on layer 0.
    /// `live[n] < 0` marks node `n` as removed: walked through, never returned.
    mutating func nearest(_ query: VectorRows.Query, ef: Int, rows: VectorRows, live: [Int32]) -> (node: Int32, similarity: Float)? {
        guard entryPoint >= 0 else { return nil }
        var current = entryPoint
        var currentSimilarity = rows.similarity(query, Int(current))
        if maxLevel > 0 {
            for l in stride(from: maxLevel, through: 1, by: -1) {
                (current, currentSimilarity) = greedy(query, from: current, similarity: currentSimilarity, level: l, rows: rows, skipping: -1)
            }
        }
        let found = searchLayer(query, entries: [(currentSimilarity, current)], ef: max(1, ef), level: 0, rows: rows, live: live, skipping: -1)
        return found.first.map { ($0.node, $0.key) }
    }

    private mutating func drawLevel() -> Int {
        let u = max(random.unit(), .leastNonzeroMagnitude)
        return min(Int(-log(u) * levelScale), 16)
    }

    private mutating func greedy(_ query: VectorRows.Query, from start: Int32, similarity: Float, level: Int, rows: VectorRows, skipping: Int32) -> (Int32, Float) {
        var current = start
        var best = similarity
        var changed = true
        while changed {
            changed = false
            let (array, base, count) = links(of: current, level: level)
            var fresh = 0
            for j in 0..<count {
                let candidate = link(array, base, j)
                guard candidate != skipping else { continue }
                gathered[fresh] = candidate
                fresh += 1
            }
            computeGatheredSimilarities(query, count: fresh, rows: rows)
            for j in 0..<fresh where gatheredSimilarities[j] > best {
                best = gatheredSimilarities[j]
                current = gathered[j]
                changed = true
            }
        }
        return (current, best)
    }

    /// Best-first search of one layer; the result is sorted by similarity, highest first.
    private mutating func searchLayer(
        _ query: VectorRows.Query, entries: [(key: Float, node: Int32)], ef: Int, level: Int, rows: VectorRows, live: [Int32]?, skipping: Int32
    ) -> [(key: Float, node: Int32)] {
        visitMark &+= 1
        if visitMark == 0 {
            for i in visited.indices { visited[i] = 0 }
            visitMark = 1
        }
        let mark = visitMark
        candidates.removeAll()
        results.removeAll()  // keys negated: the top is the worst kept
        if skipping >= 0 { visited[Int(skipping)] = mark }
        for entry in entries where visited[Int(entry.node)] != mark {
            visited[Int(entry.node)] = mark
            candidates.push(entry.key, entry.node)
            if live.map({ $0[Int(entry.node)] >= 0 }) ?? true {
                results.push(-entry.key, entry.node)
                if results.count > ef { results.pop() }
            }
        }
        var floor = results.count >= ef ? -(results.top?.key ?? .infinity) : -.infinity
        while let candidate = candidates.pop() {
            if candidate.key < floor { break }
            // The next candidate is most likely the current top: start loading its links now, so
            // that they arrive while this candidate's neighbours are compared.
            if level == 0, let next = candidates.top { prefetchLinks(of: next.node) }
            let (array, base, count) = links(of: candidate.node, level: level)
            var fresh = 0
            for j in 0..<count {
                // Branch-free: whether a neighbour was visited is a coin toss the predictor loses.
                let next = link(array, base, j)
                let unvisited = visited[Int(next)] != mark
                visited[Int(next)] = mark
                gathered[fresh] = next
                fresh += unvisited ? 1 : 0
            }
            computeGatheredSimilarities(query, count: fresh, rows: rows)
            for j in 0..<fresh {
                let next = gathered[j], s = gatheredSimilarities[j]
                guard results.count < ef || s > floor else { continue }
                candidates.push(s, next)
                if live.map({ $0[Int(next)] >= 0 }) ?? true {
                    results.push(-s, next)
                    if results.count > ef { results.pop() }
                    if results.count >= ef { floor = -(results.top?.key ?? .infinity) }
                }
            }
        }
        return results.items.map { (key: -$0.key, node: $0.node) }.sorted { $0.key > $1.key }
    }

    /// `gatheredSimilarities[j]` = the similarity of `query` and node `gathered[j]`, for j < count.
    @inline(__always)
    private mutating func computeGatheredSimilarities(_ query: VectorRows.Query, count: Int, rows: VectorRows) {
        guard count > 0 else { return }
        gathered.withUnsafeBufferPointer { ids in
            gatheredSimilarities.withUnsafeMutableBufferPointer { out in
                rows.similarities(query, rows: UnsafeBufferPointer(rebasing: ids[0..<count]), into: out.baseAddress!)
            }
        }
    }

    /// The HNSW heuristic: walk candidates from most similar, keep one only if it is more similar
    /// to the base than to every neighbour already kept. This keeps links pointing in different
    /// directions, which is what makes clustered data searchable.
    private func selectNeighbors(_ candidates: [(key: Float, node: Int32)], count: Int, rows: VectorRows) -> [(key: Float, node: Int32)] {
        guard candidates.count > count else { return candidates }
        var chosen: [(key: Float, node: Int32)] = []
        chosen.reserveCapacity(count)
        for candidate in candidates {
            var keep = true
            for other in chosen where rows.similarity(row: Int(candidate.node), row: Int(other.node)) > candidate.key {
                keep = false
                break
            }
            if keep {
                chosen.append(candidate)
                if chosen.count == count { break }
            }
        }
        return chosen
    }

    /// Adds a link from `node` to `newNode` (whose row `query` is). When `node`'s list is full,
    /// the heuristic is applied to the one newcomer only (O(links) dot products rather than
    /// O(links²) for re-selecting the whole list, which made construction three times slower):
    /// `newNode` is dropped if an existing neighbour is more similar to it than `node` is;
    /// otherwise it replaces the neighbour it now shadows that is least similar to `node`, or else
    /// the least similar one.
    private mutating func connect(_ node: Int32, to newNode: Int32, query: VectorRows.Query, similarity: Float, level: Int, rows: VectorRows) {
        let capacity = level == 0 ? layer0Neighbors : neighbors
        let (array, base, count) = links(of: node, level: level)
        if count < capacity {
            setLink(array, base, count, newNode)
            setCount(array, base, count + 1)
            return
        }
        for j in 0..<count { gathered[j] = link(array, base, j) }
        computeGatheredSimilarities(query, count: count, rows: rows)  // to the newcomer
        for j in 0..<count where gatheredSimilarities[j] > similarity { return }
        gathered.withUnsafeBufferPointer { ids in
            linkSimilarities.withUnsafeMutableBufferPointer { out in
                rows.similarities(row: Int(node), rows: UnsafeBufferPointer(rebasing: ids[0..<count]), into: out.baseAddress!)
            }
        }
        var shadowed = -1, shadowedSimilarity = Float.infinity
        var weakest = -1, weakestSimilarity = Float.infinity
        for j in 0..<count {
            let toNew = gatheredSimilarities[j], toNode = linkSimilarities[j]
            if toNode < weakestSimilarity {
                weakest = j
                weakestSimilarity = toNode
            }
            if toNode < similarity, toNew > toNode, toNode < shadowedSimilarity {
                shadowed = j
                shadowedSimilarity = toNode
            }
        }
        let replaced = shadowed >= 0 ? shadowed : (similarity > weakestSimilarity ? weakest : -1)
        guard replaced >= 0 else { return }
        setLink(array, base, replaced, newNode)
    }

    @inline(__always)
    private func prefetchLinks(of node: Int32) {
        layer0.withUnsafeBufferPointer { sbvk_prefetch($0.baseAddress! + Int(node) * layer0Stride, layer0Stride) }
    }

    /// Where `node`'s links on `level` are: array 0 (layer 0) or 1 (upper), the first link's
    /// index (the count sits just before it: a UInt16 in layer 0's bytes, an Int32 in upper), and
    /// the count.
    @inline(__always)
    private func links(of node: Int32, level: Int) -> (array: Int, base: Int, count: Int) {
        if level == 0 {
            let start = Int(node) * layer0Stride
            return (0, start + 2, Int(layer0[start]) | Int(layer0[start + 1]) << 8)
        }
        let start = Int(upperStart[Int(node)]) + (level - 1) * (neighbors + 1)
        return (1, start + 1, Int(upper[start]))
    }

    private mutating func setLinks(of node: Int32, level: Int, to newLinks: [Int32]) {
        let (array, base, _) = links(of: node, level: level)
        setCount(array, base, newLinks.count)
        for (j, link) in newLinks.enumerated() { setLink(array, base, j, link) }
    }

    /// Link `j` of the list at `base` in `array` (as ``links(of:level:)`` gives them).
    @inline(__always)
    private func link(_ array: Int, _ base: Int, _ j: Int) -> Int32 {
        guard array == 0 else { return upper[base + j] }
        let at = base + 3 * j
        return Int32(layer0[at]) | Int32(layer0[at + 1]) << 8 | Int32(layer0[at + 2]) << 16
    }

    @inline(__always)
    private mutating func setLink(_ array: Int, _ base: Int, _ j: Int, _ node: Int32) {
        guard array == 0 else {
            upper[base + j] = node
            return
        }
        let at = base + 3 * j
        layer0[at] = UInt8(truncatingIfNeeded: node)
        layer0[at + 1] = UInt8(truncatingIfNeeded: node >> 8)
        layer0[at + 2] = UInt8(truncatingIfNeeded: node >> 16)
    }

    @inline(__always)
    private mutating func setCount(_ array: Int, _ base: Int, _ count: Int) {
        guard array == 0 else {
            upper[base - 1] = Int32(count)
            return
        }
        layer0[base - 2] = UInt8(truncatingIfNeeded: count)
        layer0[base - 1] = UInt8(truncatingIfNeeded: count >> 8)
    }
}
