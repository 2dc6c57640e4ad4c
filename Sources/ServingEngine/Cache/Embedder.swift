/// Turns text into a unit-length vector whose dot product with another measures how alike the
/// two texts are.
///
/// The built-in ``HashingEmbedder`` needs no model files; a sentence-embedding model can replace
/// it by conforming to this protocol. Implementations must return vectors of exactly
/// ``dimensions`` components with an L2 norm of 1 (or all zeros for empty text).
public protocol Embedder: Sendable {
    /// A short name for logs and the dashboard (`hashing`, `minilm`, …).
    var name: String { get }
    /// The length of every vector this embedder returns.
    var dimensions: Int { get }
    /// How long one ``embed(_:)`` may take, for embedders that call out (nil: local, bounded by
    /// its own work). The engine abandons a lookup that runs past it and misses instead.
    var timeout: Duration? { get }
    /// How this embedder computes, when it has more than one way (`minilm`'s kernel path), for
    /// the dashboard; nil when there is nothing to say.
    var variant: String? { get }
    /// Embeds one text.
    func embed(_ text: String) async throws -> [Float]
}

extension Embedder {
    /// Local embedders have no timeout.
    public var timeout: Duration? { nil }

    /// Most embedders compute one way only.
    public var variant: String? { nil }
}
