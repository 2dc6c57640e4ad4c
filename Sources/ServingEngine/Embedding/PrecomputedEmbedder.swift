import Synchronization

/// Serves embeddings computed ahead in batches, so that code which embeds one text at a time
/// (the semantic cache) runs at batch speed when the texts are known in advance, as in evaluation.
///
/// Texts are keyed as the cache embeds them (after ``PromptNormalizer``); any other text goes to
/// the underlying embedder. Embedders that cannot batch are used as they are.
final class PrecomputedEmbedder: Embedder {
    let base: any Embedder
    private let table = Mutex<[String: [Float]]>([:])

    var name: String { base.name }
    var dimensions: Int { base.dimensions }

    init(_ base: any Embedder) {
        self.base = base
    }

    /// Embeds `prompts` now, in one batch, for later ``embed(_:)`` calls.
    func precompute(_ prompts: [String]) async throws {
        guard let batching = base as? any BatchEmbedder else { return }
        let texts = Array(Set(prompts.map(PromptNormalizer.normalize)))
        let vectors = try await batching.embed(batch: texts)
        table.withLock { table in
            for (text, vector) in zip(texts, vectors) { table[text] = vector }
        }
    }

    func embed(_ text: String) async throws -> [Float] {
        if let vector = table.withLock({ $0[text] }) { return vector }
        return try await base.embed(text)
    }
}
