import Synchronization

/// Serves embeddings computed ahead in batches, so that code which embeds one text at a time
/// (the semantic cache) runs at batch speed when the texts are known in advance, as in evaluation.
///
/// Texts are keyed as the cache embeds them (after ``PromptNormalizer``); any other text goes to
/// the underlying embedder. Embedders that cannot batch are used as they are.
package final class PrecomputedEmbedder: Embedder {
    let base: any Embedder
    private let table = Mutex<[String: [Float]]>([:])

    package var name: String { base.name }
    package var dimensions: Int { base.dimensions }

    package init(_ base: any Embedder) {
        self.base = base
    }

    /// Embeds `prompts` now, in batches of 512 distinct texts, for later ``embed(_:)`` calls;
    /// `progress` hears how many of the distinct texts are done after each batch.
    package func precompute(_ prompts: [String], progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) async throws {
        guard let batching = base as? any BatchEmbedder else { return }
        let texts = Array(Set(prompts.map(PromptNormalizer.normalize)))
        var start = 0
        progress(0, texts.count)
        while start < texts.count {
            let end = min(texts.count, start + 512)
            let chunk = Array(texts[start..<end])
            let vectors = try await batching.embed(batch: chunk)
            table.withLock { table in
                for (text, vector) in zip(chunk, vectors) { table[text] = vector }
            }
            start = end
            progress(end, texts.count)
        }
    }

    package func embed(_ text: String) async throws -> [Float] {
        if let vector = table.withLock({ $0[text] }) { return vector }
        return try await base.embed(text)
    }
}
