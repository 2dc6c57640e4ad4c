/// A zero-file embedder: hashed word unigrams and bigrams plus character trigrams, L2-normalised.
///
/// It captures lexical overlap, not meaning: paraphrases that reuse words score high, and
/// reworded ones less. That is enough for a cache that must never need a download, and it is
/// fast (a few microseconds for a short prompt). Features are hashed into ``dimensions`` buckets
/// with a sign bit (the "hashing trick"), so collisions cancel out on average rather than add up.
package struct HashingEmbedder: Embedder {
    package let name = "hashing"
    package let dimensions: Int

    /// Creates an embedder with the given number of dimensions.
    package init(dimensions: Int = 384) {
        precondition(dimensions > 0, "an embedding needs at least one dimension")
        self.dimensions = dimensions
    }

    package func embed(_ text: String) async throws -> [Float] {
        vector(for: text)
    }

    /// The embedding of `text`, computed synchronously.
    package func vector(for text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: dimensions)
        let words = PromptNormalizer.words(text)
        guard !words.isEmpty else { return vector }
        vector.withUnsafeMutableBufferPointer { buffer in
            var previous: UInt64?
            for word in words {
                let wordHash = Self.hash(word.utf8)
                let weight: Float = Self.stopWords.contains(word) ? 0.35 : 1.0
                add(wordHash, weight: weight, into: buffer)
                if let previous {
                    add(Self.combine(previous, wordHash), weight: 0.6 * weight, into: buffer)
                }
                previous = wordHash
                addTrigrams(of: word, weight: 0.25 * weight, into: buffer)
            }
        }
        return Self.normalized(vector)
    }

    private func add(_ hash: UInt64, weight: Float, into buffer: UnsafeMutableBufferPointer<Float>) {
        let bucket = Int(hash % UInt64(dimensions))
        let sign: Float = (hash >> 63) == 0 ? 1 : -1
        buffer[bucket] += sign * weight
    }

    private func addTrigrams(of word: String, weight: Float, into buffer: UnsafeMutableBufferPointer<Float>) {
        // "^word$" so that prefixes and suffixes are features of their own.
        var bytes: [UInt8] = [0x5E]
        bytes.append(contentsOf: word.utf8)
        bytes.append(0x24)
        guard bytes.count >= 3 else { return }
        for start in 0...(bytes.count - 3) {
            add(Self.hash(bytes[start..<(start + 3)]) &* 0x9E37_79B9_7F4A_7C15, weight: weight, into: buffer)
        }
    }

    static func normalized(_ vector: [Float]) -> [Float] {
        var norm: Float = 0
        for value in vector { norm += value * value }
        guard norm > 0 else { return vector }
        let scale = 1 / norm.squareRoot()
        return vector.map { $0 * scale }
    }

    package static func hash<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return mix(hash)
    }

    static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        mix(a &* 31 &+ b &+ 0x632B_E59B_D9B4_E019)
    }

    /// SplitMix64's finaliser: spreads FNV's weak low bits over the whole word.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static let stopWords: Set<String> = [
        "a", "an", "the", "is", "are", "was", "were", "be", "to", "of", "in", "on", "for", "and", "or",
        "it", "this", "that", "me", "my", "i", "you", "your", "do", "does", "can", "could", "please",
        "what", "how", "with", "about", "tell", "give", "some", "at", "by", "from", "as",
    ]
}
