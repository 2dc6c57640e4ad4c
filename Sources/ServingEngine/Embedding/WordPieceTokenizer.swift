import Foundation

/// BERT's uncased WordPiece tokenizer, matching Hugging Face's `BertNormalizer` +
/// `BertPreTokenizer` + `WordPiece` (the fast tokenizer sentence-transformers loads from
/// `tokenizer.json`, which agrees with the Python `BertTokenizer`).
///
/// Steps, on Unicode scalars as the reference does (never on grapheme clusters):
/// 1. clean: drop NUL, U+FFFD and "other" characters (Cc, Cf, Cn, Co, Cs, except tab, newline,
///    carriage return); turn every white-space character into a space;
/// 2. put spaces around CJK ideographs, so each becomes a word of its own;
/// 3. strip accents (canonical decomposition, then drop non-spacing marks) and lower-case;
/// 4. split on white space and make each punctuation character (ASCII symbol ranges or a Unicode
///    P* category) a word of its own;
/// 5. split each word greedily into the longest vocabulary pieces, continuations prefixed `##`;
///    a word longer than 100 scalars, or with no split, becomes `[UNK]`.
/// The sequence is `[CLS]` + pieces + `[SEP]`, truncated to ``maxLength`` ids in all.
package struct WordPieceTokenizer: Sendable {
    /// The most ids one sequence has, `[CLS]` and `[SEP]` included.
    package let maxLength: Int
    /// Whether text is lower-cased and stripped of accents (uncased models).
    package let lowercase: Bool
    private let vocabulary: [String: Int32]
    private let unknownID: Int32
    private let classID: Int32
    private let separatorID: Int32
    private static let maxScalarsPerWord = 100

    /// Creates a tokenizer from the vocabulary in id order.
    /// - Throws: when `[UNK]`, `[CLS]` or `[SEP]` is not in the vocabulary, naming `source`.
    package init(vocabulary tokens: [String], maxLength: Int, lowercase: Bool = true, source: String = "vocabulary") throws(MiniLMError) {
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() where vocabulary[token] == nil {
            vocabulary[token] = Int32(id)
        }
        func id(_ token: String) throws(MiniLMError) -> Int32 {
            guard let id = vocabulary[token] else { throw MiniLMError("\(source): the vocabulary has no \(token) token; it is not a BERT WordPiece vocabulary") }
            return id
        }
        self.vocabulary = vocabulary
        self.unknownID = try id("[UNK]")
        self.classID = try id("[CLS]")
        self.separatorID = try id("[SEP]")
        self.maxLength = max(2, maxLength)
        self.lowercase = lowercase
    }

    /// The ids the model reads for `text`: `[CLS]`, its word pieces, `[SEP]`.
    package func tokenIDs(_ text: String) -> [Int32] {
        var ids: [Int32] = [classID]
        let budget = maxLength - 1
        for word in words(text) {
            appendPieces(of: word, to: &ids)
            if ids.count >= budget { break }
        }
        if ids.count > budget { ids.removeLast(ids.count - budget) }
        ids.append(separatorID)
        return ids
    }

    /// Steps 1–4: the normalised words and punctuation marks of `text`.
    func words(_ text: String) -> [[Unicode.Scalar]] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                cleaned.append(" ")
            } else if Self.isCJK(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        var normalized: [Unicode.Scalar] = []
        if lowercase {
            for scalar in String(cleaned).decomposedStringWithCanonicalMapping.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
                if scalar.properties.changesWhenLowercased {
                    normalized.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                } else {
                    normalized.append(scalar)
                }
            }
        } else {
            normalized = Array(cleaned)
        }
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in normalized {
            if scalar.properties.isWhitespace {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
            } else if Self.isPunctuation(scalar) {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Step 5: greedy longest-match-first pieces of one word.
    private func appendPieces(of word: [Unicode.Scalar], to ids: inout [Int32]) {
        guard word.count <= Self.maxScalarsPerWord else {
            ids.append(unknownID)
            return
        }
        var pieces: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                var candidate = start > 0 ? "##" : ""
                candidate.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else {
                ids.append(unknownID)
                return
            }
            pieces.append(found)
            start = end
        }
        ids.append(contentsOf: pieces)
    }

    /// Tab, newline and carriage return count as white space; every other C* category is dropped.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    /// BERT's punctuation: the ASCII symbol ranges (so `$`, `+`, `^`, `` ` `` count too) or any P* category.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value) || (123...126).contains(value) { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT isolates (not Hangul, Hiragana or Katakana).
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
