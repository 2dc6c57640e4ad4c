/// How the semantic cache finds the most similar stored prompt within one scope.
///
/// Small scopes are scanned exactly (every stored vector, SIMD dot products). Once a scope holds
/// more than ``annMinEntries`` entries it gets an HNSW graph (hierarchical navigable small world)
/// and lookups visit only a few hundred vectors; below half that size it goes back to the exact
/// scan. Every scope has its own index, so a hit can never cross scopes.
public struct CacheIndexSettings: Sendable, Hashable {
    /// How stored vectors are represented.
    public enum Quantization: String, Sendable, Hashable, CaseIterable {
        /// 32-bit floats: exact similarities, 4 bytes per dimension.
        case none
        /// Symmetric 8-bit codes with one scale per vector: 1 byte per dimension plus 4, and
        /// similarities within about 0.002 of the float ones (mean 0.0004; see README).
        case int8
    }

    /// The representation of stored vectors.
    public var quantization: Quantization
    /// The entry count above which a scope uses the approximate (HNSW) index.
    public var annMinEntries: Int
    /// Candidates kept while searching the graph: higher finds the true nearest more often and
    /// costs more. The default, 128, keeps recall@1 near 0.99 at a million entries (64: 0.93) for
    /// about 330 µs per lookup there (`switchboard bench cache`; see README).
    public var efSearch: Int
    /// Candidates kept while inserting into the graph: higher builds a better graph, more slowly.
    public var efConstruction: Int
    /// Links per node on the upper layers; layer 0 keeps twice as many.
    public var neighbors: Int
    /// The seed of the level draws, so that the same inserts build the same graph.
    public var seed: UInt64

    /// Creates index settings.
    public init(
        quantization: Quantization = .none,
        annMinEntries: Int = 10_000,
        efSearch: Int = 128,
        efConstruction: Int = 100,
        neighbors: Int = 16,
        seed: UInt64 = 0x5EED
    ) {
        self.quantization = quantization
        self.annMinEntries = annMinEntries
        self.efSearch = efSearch
        self.efConstruction = efConstruction
        self.neighbors = neighbors
        self.seed = seed
    }
}
