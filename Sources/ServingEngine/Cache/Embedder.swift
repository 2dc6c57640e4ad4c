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
    /// Embeds one text.
    func embed(_ text: String) async throws -> [Float]
}
