import Foundation

/// What a query and the nearest cached prompt have in common beyond their embedding cosine: the
/// evidence ``HitVerifier`` weighs to tell a paraphrase from a near-miss such as "How do I learn
/// Python?" against "How do I learn Python fast?".
///
/// Every feature is computed from the two normalised texts in a few microseconds, so it can run
/// on every semantic candidate.
enum PairFeatures {
    /// Feature names, in vector order (they are saved with a model and checked on load).
    static let names = [
        "similarity", "similarity_squared", "word_jaccard", "content_jaccard", "bigram_jaccard",
        "unmatched_most", "unmatched_least", "unmatched_share", "number_mismatch", "negation_mismatch",
        "question_word_mismatch", "length_ratio", "log_shorter_length", "similarity_x_content_jaccard",
    ]

    /// The feature vector of a query and a candidate with embedding cosine `similarity`.
    static func vector(similarity: Double, query: String, candidate: String) -> [Double] {
        let a = Words(query)
        let b = Words(candidate)
        let unmatchedA = a.content.subtracting(b.content).count
        let unmatchedB = b.content.subtracting(a.content).count
        let contentJaccard = jaccard(a.content, b.content)
        let shorter = min(a.all.count, b.all.count)
        let longer = max(a.all.count, b.all.count)
        let questionMismatch: Double = if let qa = a.questionWord, let qb = b.questionWord, qa != qb { 1 } else { 0 }
        return [
            similarity,
            similarity * similarity,
            jaccard(Set(a.all), Set(b.all)),
            contentJaccard,
            jaccard(a.bigrams, b.bigrams),
            Double(min(max(unmatchedA, unmatchedB), 6)),
            Double(min(min(unmatchedA, unmatchedB), 6)),
            Double(unmatchedA + unmatchedB) / Double(max(a.content.count + b.content.count, 1)),
            a.numbers == b.numbers ? 0 : 1,
            a.isNegated == b.isNegated ? 0 : 1,
            questionMismatch,
            longer == 0 ? 1 : Double(shorter) / Double(longer),
            log(1 + Double(shorter)),
            similarity * contentJaccard,
        ]
    }

    private static func jaccard<T: Hashable>(_ a: Set<T>, _ b: Set<T>) -> Double {
        let union = a.union(b).count
        return union == 0 ? 1 : Double(a.intersection(b).count) / Double(union)
    }

    /// A text's words, content words (light-stemmed, stop words removed), numbers and cues.
    struct Words {
        var all: [String]
        var content: Set<String>
        var bigrams: Set<String>
        var numbers: Set<String>
        var isNegated: Bool
        var questionWord: String?

        init(_ text: String) {
            all = PromptNormalizer.words(text)
            var content = Set<String>()
            var numbers = Set<String>()
            var negations = 0
            for word in all {
                if PairFeatures.negations.contains(word) { negations += 1 }
                if word.unicodeScalars.allSatisfy({ $0.properties.numericType != nil }) {
                    numbers.insert(word)
                    content.insert(word)
                } else if !PairFeatures.stopWords.contains(word) {
                    content.insert(PairFeatures.stem(word))
                }
            }
            self.content = content
            self.numbers = numbers
            isNegated = negations % 2 == 1
            bigrams = Set(zip(all, all.dropFirst()).map { $0 + " " + $1 })
            questionWord = all.first { PairFeatures.questionWords.contains($0) }
        }
    }

    /// Plural and verb endings folded, so "learns" meets "learn" and "cities" meets "city".
    static func stem(_ word: String) -> String {
        if word.count > 4, word.hasSuffix("ies") { return String(word.dropLast(3)) + "y" }
        if word.count > 3, word.hasSuffix("s"), !word.hasSuffix("ss"), !word.hasSuffix("us"), !word.hasSuffix("is") { return String(word.dropLast()) }
        return word
    }

    static let negations: Set<String> = ["not", "no", "never", "without", "cannot", "nor", "t", "none", "nothing"]

    static let questionWords: Set<String> = ["what", "how", "why", "when", "where", "who", "which", "whom", "whose"]

    static let stopWords: Set<String> = [
        "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did",
        "i", "me", "my", "we", "our", "you", "your", "he", "she", "it", "its", "they", "them", "their",
        "this", "that", "these", "those", "of", "in", "on", "at", "to", "for", "from", "by", "with",
        "about", "as", "into", "and", "or", "but", "if", "so", "than", "then", "there", "here",
        "what", "how", "why", "when", "where", "who", "which", "whom", "whose",
        "can", "could", "should", "would", "will", "shall", "may", "might", "must",
        "some", "any", "all", "get", "s", "one", "someone", "something", "please",
    ]
}
