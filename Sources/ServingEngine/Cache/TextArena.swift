/// The cache's texts (prompts and answers) back to back in one byte array, addressed by a 32-bit
/// offset and length: no allocation, header or padding per text, where a Swift `String` longer
/// than 15 UTF-8 bytes costs a heap object of its own besides its 16-byte value.
///
/// Removing a text only counts its bytes as dead; the owner compacts (``compacted(keeping:)``)
/// when dead bytes outnumber live ones, so the arena holds at most about twice the live text.
/// Offsets are 32-bit: the arena holds up to 4 GiB.
struct TextArena {
    private(set) var bytes: [UInt8] = []
    /// Bytes of removed texts not yet compacted away.
    private(set) var dead = 0

    /// The most bytes the arena can address.
    static let capacity = Int(UInt32.max)

    /// Live bytes.
    var live: Int { bytes.count - dead }

    /// Whether compacting would at least halve the arena.
    var shouldCompact: Bool { dead > 4096 && dead > live }

    /// Appends `texts` one after another and returns where the first starts, or nil when the
    /// arena would outgrow ``capacity``.
    mutating func append(_ texts: String...) -> UInt32? {
        let total = texts.reduce(0) { $0 + $1.utf8.count }
        guard bytes.count + total <= Self.capacity else { return nil }
        let start = UInt32(bytes.count)
        for text in texts { bytes.append(contentsOf: text.utf8) }
        return start
    }

    /// The text of `length` bytes at `offset`.
    func string(at offset: UInt32, length: UInt32) -> String {
        bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[Int(offset)..<Int(offset) + Int(length)]), as: UTF8.self)
        }
    }

    /// Whether the `length` bytes at `offset` are exactly `text`'s UTF-8.
    func equals(_ text: String, at offset: UInt32, length: UInt32) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard utf8.count == Int(length) else { return false }
            return bytes.withUnsafeBufferPointer { buffer in
                utf8.elementsEqual(UnsafeBufferPointer(rebasing: buffer[Int(offset)..<Int(offset) + Int(length)]))
            }
        }
    }

    /// Marks `length` bytes as no longer used.
    mutating func release(_ length: UInt32) {
        dead += Int(length)
    }

    /// A new arena with only the runs `keeping` lists (offset, length), in that order, and each
    /// run's new offset.
    func compacted(keeping runs: [(offset: UInt32, length: UInt32)]) -> (arena: TextArena, offsets: [UInt32]) {
        var arena = TextArena()
        arena.bytes.reserveCapacity(live)
        var offsets: [UInt32] = []
        offsets.reserveCapacity(runs.count)
        for run in runs {
            offsets.append(UInt32(arena.bytes.count))
            arena.bytes.append(contentsOf: bytes[Int(run.offset)..<Int(run.offset) + Int(run.length)])
        }
        return (arena, offsets)
    }
}
