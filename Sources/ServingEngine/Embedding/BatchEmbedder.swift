/// An embedder that embeds many texts in one call, faster per text than one call each.
package protocol BatchEmbedder: Embedder {
    /// The embeddings of `texts`, in the same order.
    func embed(batch texts: [String]) async throws -> [[Float]]
}

extension MiniLMEmbedder: BatchEmbedder {}
