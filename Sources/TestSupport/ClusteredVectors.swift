import ServingEngine

/// Seeded unit vectors shaped like text embeddings rather than uniform noise: a mixture of
/// clusters (topics) on the sphere.
///
/// A point is its cluster's centre plus Gaussian noise, normalised; `spread` sets how far points
/// stray (the expected cosine between a point and its centre is 1/√(1 + spread²)). Centres are
/// uniform on the sphere, so different topics are nearly orthogonal, as unrelated prompts are.
/// A paraphrase of a stored prompt is modelled by ``perturb(_:cosine:)``.
package struct ClusteredVectors {
    package let dimensions: Int
    package let clusters: Int
    package let spread: Float
    private var centres: [Float]
    private var random: SeededRandom

    package init(dimensions: Int, clusters: Int, spread: Float = 1, seed: UInt64) {
        self.dimensions = dimensions
        self.clusters = max(1, clusters)
        self.spread = spread
        random = SeededRandom(seed: seed)
        centres = []
        centres.reserveCapacity(self.clusters * dimensions)
        for _ in 0..<self.clusters { centres.append(contentsOf: gaussianUnit()) }
    }

    /// A point from a cluster drawn uniformly.
    package mutating func next() -> [Float] {
        let cluster = Int(random.next() % UInt64(clusters))
        let noise = gaussianUnit()
        var point = [Float](repeating: 0, count: dimensions)
        for i in 0..<dimensions { point[i] = centres[cluster * dimensions + i] + spread * noise[i] }
        return Self.normalized(point)
    }

    /// A unit vector whose cosine with `vector` is about `cosine` (a paraphrase of it).
    package mutating func perturb(_ vector: [Float], cosine: Float) -> [Float] {
        let amount = (1 / (cosine * cosine) - 1).squareRoot()
        let noise = gaussianUnit()
        return Self.normalized(zip(vector, noise).map { $0 + amount * $1 })
    }

    /// A Gaussian direction of unit length (uniform on the sphere).
    private mutating func gaussianUnit() -> [Float] {
        Self.normalized((0..<dimensions).map { _ in Float(random.normal()) })
    }

    package static func normalized(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}
