import Foundation

/// What a query and the nearest cached prompt have in common beyond their embedding cosine: the
/// evidence ``HitVerifier`` weighs. Besides the cosine, only cues that measurably separate
/// same-request pairs from near-misses on held-out labelled pairs are kept: a number that differs
/// ("2 + 2" against "2 + 3"), a negation on one side only, a different question word ("how" against
/// "why"). Word-overlap measures were tried and dropped: on Quora's hard negatives, different
/// questions share more words than paraphrases do, so they made the verifier worse.
///
/// Every feature is computed from the two texts in a few microseconds.
package enum PairFeatures {
    /// Feature names, in vector order (they are saved with a model and checked on load).
    package static let names = ["similarity", "similarity_squared", "number_mismatch", "negation_mismatch", "question_word_mismatch"]

    /// The feature vector of a query and a candidate with embedding cosine `similarity`.
    package static func vector(similarity: Double, query: String, candidate: String) -> [Double] {
        let a = Words(query)
        let b = Words(candidate)
        let questionMismatch: Double = if let qa = a.questionWord, let qb = b.questionWord, qa != qb { 1 } else { 0 }
        return [
            similarity,
            similarity * similarity,
            a.numbers == b.numbers ? 0 : 1,
            a.isNegated == b.isNegated ? 0 : 1,
            questionMismatch,
        ]
    }

    /// Whether the two texts name different numbers ("top 5" against "top 10", "topic 2" against
    /// "topic 3"): then they are never the same request, however close their embeddings.
    package static func numbersDiffer(_ query: String, _ candidate: String) -> Bool {
        Words(query).numbers != Words(candidate).numbers
    }

    /// A text's numbers, whether it is negated, and its first question word.
    struct Words {
        var numbers: Set<String>
        var isNegated: Bool
        var questionWord: String?

        init(_ text: String) {
            let all = PromptNormalizer.words(text)
            var numbers = Set<String>()
            var negations = 0
            for word in all {
                if PairFeatures.negations.contains(word) { negations += 1 }
                if word.unicodeScalars.allSatisfy({ $0.properties.numericType != nil }) { numbers.insert(word) }
            }
            self.numbers = numbers
            isNegated = negations % 2 == 1
            questionWord = all.first { PairFeatures.questionWords.contains($0) }
        }
    }

    static let negations: Set<String> = ["not", "no", "never", "without", "cannot", "nor", "t", "none", "nothing"]

    static let questionWords: Set<String> = ["what", "how", "why", "when", "where", "who", "which", "whom", "whose"]
}
