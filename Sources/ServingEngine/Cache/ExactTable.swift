/// The exact-match index: prompt hash → cache slot, open-addressed with linear probing over
/// 32-bit slot numbers — 4 bytes a bucket, where a Swift `Dictionary<UInt64, Int>` takes 16
/// plus metadata. The hashes themselves live in the entries (the caller's `hashOf`), so a probe
/// reads the entry's hash to compare; at most ¾ of the buckets are used, and removal shifts
/// later entries back instead of leaving tombstones, so probe runs stay short.
struct ExactTable {
    private static let empty = UInt32.max
    private var buckets: [UInt32] = []
    private(set) var count = 0

    /// Bytes the table takes.
    var bytes: Int { buckets.count * MemoryLayout<UInt32>.stride }

    private var mask: Int { buckets.count - 1 }

    @inline(__always)
    private func home(_ hash: UInt64) -> Int {
        // The upper bits mix better than the lower ones for hashes built by multiplication.
        Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The slot stored under `hash`, if any.
    func find(_ hash: UInt64, hashOf: (UInt32) -> UInt64) -> UInt32? {
        guard !buckets.isEmpty else { return nil }
        var index = home(hash)
        while true {
            let slot = buckets[index]
            if slot == Self.empty { return nil }
            if hashOf(slot) == hash { return slot }
            index = (index + 1) & mask
        }
    }

    /// Stores `slot` under `hash`, which must not be present.
    mutating func insert(_ hash: UInt64, slot: UInt32, hashOf: (UInt32) -> UInt64) {
        if (count + 1) * 4 > buckets.count * 3 { grow(hashOf: hashOf) }
        var index = home(hash)
        while buckets[index] != Self.empty { index = (index + 1) & mask }
        buckets[index] = slot
        count += 1
    }

    /// Removes `slot`, stored under `hash`; does nothing when it is not there.
    mutating func remove(_ hash: UInt64, slot: UInt32, hashOf: (UInt32) -> UInt64) {
        guard !buckets.isEmpty else { return }
        var hole = home(hash)
        while buckets[hole] != slot {
            if buckets[hole] == Self.empty { return }
            hole = (hole + 1) & mask
        }
        // Shift back every later member of the run whose home is not after the hole.
        var next = (hole + 1) & mask
        while buckets[next] != Self.empty {
            let wanted = home(hashOf(buckets[next]))
            let movable = hole <= next ? (wanted <= hole || wanted > next) : (wanted <= hole && wanted > next)
            if movable {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        buckets[hole] = Self.empty
        count -= 1
    }

    private mutating func grow(hashOf: (UInt32) -> UInt64) {
        let old = buckets
        buckets = [UInt32](repeating: Self.empty, count: max(16, old.count * 2))
        for slot in old where slot != Self.empty {
            var index = home(hashOf(slot))
            while buckets[index] != Self.empty { index = (index + 1) & mask }
            buckets[index] = slot
        }
    }
}
