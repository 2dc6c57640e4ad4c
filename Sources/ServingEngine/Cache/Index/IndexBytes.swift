/// Where a vector index's memory goes, in bytes (what the arrays hold, not their spare capacity).
package struct IndexBytes: Hashable {
    /// Vectors: float values, or int8 codes plus one scale per vector.
    package var vectors = 0
    /// Layer-0 neighbour lists: a 16-bit count and `2 × neighbors` 24-bit ids per node.
    package var layer0Links = 0
    /// Upper-layer neighbour lists, for the few nodes that have any.
    package var upperLinks = 0
    /// Per node: level, upper-list offset, visit stamp, cache slot; free-node list.
    package var perNode = 0

    package var total: Int { vectors + layer0Links + upperLinks + perNode }

    package static func + (a: IndexBytes, b: IndexBytes) -> IndexBytes {
        IndexBytes(vectors: a.vectors + b.vectors, layer0Links: a.layer0Links + b.layer0Links, upperLinks: a.upperLinks + b.upperLinks, perNode: a.perNode + b.perNode)
    }
}
