/// A binary max-heap of (key, node) pairs: the candidate queue and, with negated keys, the
/// bounded result set of an HNSW search.
struct SimilarityHeap {
    private(set) var items: [(key: Float, node: Int32)] = []

    init(capacity: Int) {
        items.reserveCapacity(capacity)
    }

    var count: Int { items.count }
    var top: (key: Float, node: Int32)? { items.first }

    /// Empties the heap, keeping its storage for the next search.
    mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
    }

    mutating func push(_ key: Float, _ node: Int32) {
        items.append((key, node))
        // One uniqueness check per push rather than one per swap: a search pushes thousands.
        items.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            let item = heap[child]
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[parent].key < item.key else { break }
                heap[child] = heap[parent]
                child = parent
            }
            heap[child] = item
        }
    }

    @discardableResult
    mutating func pop() -> (key: Float, node: Int32)? {
        guard !items.isEmpty else { return nil }
        let first = items[0]
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items.withUnsafeMutableBufferPointer { heap in
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { break }
                var larger = left
                if left + 1 < heap.count, heap[left + 1].key > heap[left].key { larger = left + 1 }
                guard heap[larger].key > last.key else { break }
                heap[parent] = heap[larger]
                parent = larger
            }
            heap[parent] = last
        }
        return first
    }
}
