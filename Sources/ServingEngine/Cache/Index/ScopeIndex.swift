/// The vectors of one ``CacheScope`` and the index that searches them.
///
/// Node `n` is row `n` of ``rows`` and belongs to cache slot `slots[n]`. Two modes:
/// - **Exact** (up to ``CacheIndexSettings/annMinEntries`` live entries): rows are kept dense;
///   a removal moves the last row into the hole and reports the move. Lookups scan every row.
/// - **Approximate** (above that): an ``HNSWGraph`` over the rows. A removal leaves a tombstone
///   (`slots[n] == -1`) that searches walk through but never return; the next insert reuses it
///   (its links are rebuilt). When tombstones outnumber live nodes (a scope that shrinks without
///   inserts), the rows are compacted and the graph rebuilt from the live ones; below half of
///   `annMinEntries` live entries the scope goes back to the exact scan. Both report the moves.
struct ScopeIndex {
    /// A cache slot whose node changed.
    typealias Relocation = (slot: Int, node: Int)

    let settings: CacheIndexSettings
    /// Candidates a graph search keeps; starts at the settings' value.
    var efSearch: Int
    private(set) var rows: VectorRows
    /// Node → cache slot, -1 for a tombstone.
    private(set) var slots: [Int32] = []
    private(set) var graph: HNSWGraph?
    private var freeNodes: [Int32] = []
    private(set) var live = 0

    init(dimensions: Int, settings: CacheIndexSettings) {
        self.settings = settings
        efSearch = settings.efSearch
        rows = VectorRows(dimensions: dimensions, quantization: settings.quantization)
    }

    var isApproximate: Bool { graph != nil }

    /// Whether another vector would exceed ``HNSWGraph/maxNodes`` (a tombstone other than the
    /// entry point can always be reused; one free node may be the entry point).
    var isFull: Bool { rows.count >= HNSWGraph.maxNodes && freeNodes.count <= 1 }

    /// Stores `vector` for cache slot `slot` and returns its node.
    mutating func add(_ vector: [Float], slot: Int) -> Int {
        live += 1
        guard graph != nil else {
            rows.append(vector)
            slots.append(Int32(slot))
            if live > settings.annMinEntries { buildGraph() }
            return rows.count - 1
        }
        if let reused = takeFreeNode() {
            rows.overwrite(Int(reused), with: vector)
            slots[Int(reused)] = Int32(slot)
            graph?.insert(reused, rows: rows)
            return Int(reused)
        }
        rows.append(vector)
        slots.append(Int32(slot))
        graph?.insert(Int32(rows.count - 1), rows: rows)
        return rows.count - 1
    }

    /// Removes `node`; returns the slots whose nodes moved.
    mutating func remove(_ node: Int) -> [Relocation] {
        live -= 1
        guard graph != nil else {
            let last = rows.count - 1
            rows.removeBySwappingLast(node)
            var moved: [Relocation] = []
            if node != last {
                slots[node] = slots[last]
                moved.append((Int(slots[node]), node))
            }
            slots.removeLast()
            return moved
        }
        slots[node] = -1
        freeNodes.append(Int32(node))
        if live < settings.annMinEntries / 2 { return compact(rebuildGraph: false) }
        if freeNodes.count > live { return compact(rebuildGraph: true) }
        return []
    }

    /// The live node most similar to `vector`.
    mutating func nearest(to vector: [Float]) -> (node: Int, similarity: Float)? {
        guard live > 0 else { return nil }
        let query = rows.query(vector)
        if graph != nil {
            if let found = graph?.nearest(query, ef: efSearch, rows: rows, live: slots) {
                return (Int(found.node), found.similarity)
            }
            // Every node the search reached was a tombstone: fall back to the exact scan.
            return rows.bestRow(query, include: { slots[$0] >= 0 }).map { ($0.row, $0.similarity) }
        }
        return rows.bestRow(query).map { ($0.row, $0.similarity) }
    }

    /// The live node most similar to `vector` by an exact scan, whatever the mode (for measuring recall).
    func exactNearest(to vector: [Float]) -> (node: Int, similarity: Float)? {
        rows.bestRow(rows.query(vector), include: { slots[$0] >= 0 }).map { ($0.row, $0.similarity) }
    }

    /// Bytes this scope's index takes, by part (spare capacity not counted).
    var bytes: IndexBytes {
        let graphBytes = graph?.bytes ?? (layer0: 0, upper: 0, perNode: 0)
        return IndexBytes(
            vectors: rows.bytes, layer0Links: graphBytes.layer0, upperLinks: graphBytes.upper,
            perNode: graphBytes.perNode + slots.count * MemoryLayout<Int32>.stride + freeNodes.count * MemoryLayout<Int32>.stride
        )
    }

    func vector(_ node: Int) -> [Float] {
        rows.vector(node)
    }

    func slot(_ node: Int) -> Int {
        Int(slots[node])
    }

    private mutating func takeFreeNode() -> Int32? {
        guard let node = freeNodes.popLast() else { return nil }
        guard node == graph?.entryPoint else { return node }
        // The entry point stays put (the graph is entered through it); try the next tombstone.
        let other = freeNodes.popLast()
        freeNodes.append(node)
        return other
    }

    private mutating func buildGraph() {
        var graph = HNSWGraph(settings: settings)
        graph.reserve(rows.count)
        for node in 0..<rows.count { graph.insert(Int32(node), rows: rows) }
        self.graph = graph
    }

    private mutating func compact(rebuildGraph: Bool) -> [Relocation] {
        var dense = VectorRows(dimensions: rows.dimensions, quantization: rows.quantization)
        dense.reserve(live)
        var denseSlots: [Int32] = []
        denseSlots.reserveCapacity(live)
        var moved: [Relocation] = []
        for node in slots.indices where slots[node] >= 0 {
            if denseSlots.count != node { moved.append((Int(slots[node]), denseSlots.count)) }
            dense.append(row: node, of: rows)
            denseSlots.append(slots[node])
        }
        rows = dense
        slots = denseSlots
        freeNodes = []
        graph = nil
        if rebuildGraph { buildGraph() }
        return moved
    }
}
