import Testing
@testable import ServingEngine

@Suite("WordPiece tokenizer")
struct WordPieceTokenizerTests {
    static let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world", "un", "##aff", "##able", "cafe", "naive",
        ",", "!", "$", "^", "'", "s", "的", "我", "a", "##a", "«", "»", "-", "x", "##x",
    ]
    let tokenizer = try! WordPieceTokenizer(vocabulary: Self.vocabulary, maxLength: 16)

    func ids(_ text: String) -> [Int32] { tokenizer.tokenIDs(text) }
    func id(_ token: String) -> Int32 { Int32(Self.vocabulary.firstIndex(of: token)!) }

    @Test func wrapsPiecesInClassAndSeparator() {
        #expect(ids("hello world") == [2, id("hello"), id("world"), 3])
        #expect(ids("") == [2, 3])
        #expect(ids(" \t\n ") == [2, 3])
    }

    @Test func lowerCasesAndStripsAccents() {
        #expect(ids("HeLLo CAFÉ Naïve") == [2, id("hello"), id("cafe"), id("naive"), 3])
        // The decomposed spelling gives the same ids as the composed one.
        #expect(ids("cafe\u{301}") == ids("café"))
    }

    @Test func splitsPunctuationIncludingAsciiSymbols() {
        #expect(ids("hello, world!") == [2, id("hello"), id(","), id("world"), id("!"), 3])
        #expect(ids("$hello^world's") == [2, id("$"), id("hello"), id("^"), id("world"), id("'"), id("s"), 3])
        #expect(ids("«hello»-world") == [2, id("«"), id("hello"), id("»"), id("-"), id("world"), 3])
    }

    @Test func isolatesCJKIdeographs() {
        #expect(ids("我的world") == [2, id("我"), id("的"), id("world"), 3])
    }

    @Test func splitsWordsIntoLongestPieces() {
        #expect(ids("unaffable") == [2, id("un"), id("##aff"), id("##able"), 3])
        #expect(ids("aaa") == [2, id("a"), id("##a"), id("##a"), 3])
        // A word with no complete split is one [UNK], not a partial split.
        #expect(ids("unaffablez hello") == [2, 1, id("hello"), 3])
    }

    @Test func wordsOverOneHundredScalarsAreUnknown() {
        #expect(ids(String(repeating: "x", count: 100)) == [2, id("x")] + Array(repeating: id("##x"), count: 99).prefix(13) + [3])
        #expect(ids(String(repeating: "x", count: 101) + " hello") == [2, 1, id("hello"), 3])
    }

    @Test func dropsControlCharactersAndKeepsWhitespaceAsSeparators() {
        #expect(ids("hel\u{0}lo\u{7} wor\u{200B}ld\u{FFFD}") == [2, id("hello"), id("world"), 3])
        #expect(ids("hello\u{00A0}world\u{3000}hello") == [2, id("hello"), id("world"), id("hello"), 3])
    }

    @Test func truncatesToTheMaximumLengthIncludingSpecialTokens() {
        let long = ids(Array(repeating: "hello", count: 40).joined(separator: " "))
        #expect(long.count == 16)
        #expect(long.first == 2 && long.last == 3)
        #expect(long.dropFirst().dropLast().allSatisfy { $0 == id("hello") })
    }

    @Test func aVocabularyWithoutSpecialTokensIsRejected() {
        #expect(throws: MiniLMError.self) { try WordPieceTokenizer(vocabulary: ["hello"], maxLength: 8) }
    }
}
