/// A binary max-heap of (key, node) pairs: the candidate queue and, with negated keys, the
/// bounded result set of an HNSW search.
struct SimilarityHeap {
    private(set) var items: [(key: Float, node: Int32)] = []

    init(capacity: Int) {
        items.reserveCapacity(capacity)
    }

    var count: Int { items.count }
    var top: (key: Float, node: Int32)? { items.first }

    mutating func push(_ key: Float, _ node: Int32) {
        items.append((key, node))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[parent].key < items[child].key else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    @discardableResult
    mutating func pop() -> (key: Float, node: Int32)? {
        guard !items.isEmpty else { return nil }
        let first = items[0]
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < items.count else { break }
            var larger = left
            if left + 1 < items.count, items[left + 1].key > items[left].key { larger = left + 1 }
            guard items[larger].key > items[parent].key else { break }
            items.swapAt(parent, larger)
            parent = larger
        }
        return first
    }
}
