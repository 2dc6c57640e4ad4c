import Foundation

/// How a prompt is built, independent of its subject: the length of the question and of its
/// answer options, compound judgements ("Statement 1 | Statement 2"), numeric options, negated
/// questions, passages to read, computation and judgement cues.
///
/// These cues carry over to subjects the router was never trained on, where what a prompt is
/// *about* does not (see the README's router figures). All of it is plain scanning of the text,
/// a few microseconds per prompt.
enum PromptShape {
    static let names = [
        "log_question_length", "log_options_length", "options_to_question", "statement_pair", "compound_options",
        "negated_question", "digits", "math_symbols", "numeric_options", "which_of_the_following", "first_person",
        "capitalised_words", "sentences", "quotes", "question_mark", "blank", "true_false_options", "passage",
        "judgement", "computation", "word_length", "unique_words", "all_none_options", "option_length_spread",
        "option_question_overlap", "units",
    ]

    static func features(of prompt: String) -> [Double] {
        let (question, options) = split(prompt)
        let lowered = question.lowercased()
        let words = letterWords(question)
        let lowerWords = Set(words.map { $0.lowercased() })
        let optionLengths = options.map { Double($0.count) }
        let optionsTotal = optionLengths.reduce(0, +)
        let questionLength = Double(question.count)

        let optionWords = Set(options.flatMap { letterWords($0) }.filter { $0.count >= 4 }.map { $0.lowercased() })
        let questionLongWords = Set(words.filter { $0.count >= 4 }.map { $0.lowercased() })
        let meanOptionLength = optionLengths.isEmpty ? 0 : optionsTotal / Double(optionLengths.count)
        let spread = optionLengths.isEmpty ? 0 : (optionLengths.map { ($0 - meanOptionLength) * ($0 - meanOptionLength) }.reduce(0, +) / Double(optionLengths.count)).squareRoot() / (meanOptionLength + 1)

        return [
            log1p(questionLength),
            log1p(optionsTotal),
            optionsTotal / (questionLength + 1),
            flag(question.contains("Statement 1") || question.contains("Scenario 1")),
            flag(options.count == 4 && options.allSatisfy { $0.contains(",") } && (optionLengths.max() ?? 0) < 25),
            flag(!negations.isDisjoint(with: words)),
            min(Double(prompt.unicodeScalars.filter { ("0"..."9").contains($0) }.count), 60) / 60,
            min(Double(prompt.unicodeScalars.filter { "^=+*/<>\\".unicodeScalars.contains($0) }.count + occurrences(of: "sqrt", in: prompt)), 20) / 20,
            options.isEmpty ? 0 : Double(options.filter(isNumeric).count) / 4,
            flag(lowered.contains("which of the following")),
            min(Double(words.filter { $0 == "I" || $0 == "my" || $0 == "me" }.count), 10) / 10,
            words.isEmpty ? 0 : Double(words.filter { $0.first?.isUppercase == true }.count) / Double(words.count + 1),
            min(Double(occurrences(of: ". ", in: question)), 15) / 15,
            flag(question.contains("\"")),
            flag(question.contains("?")),
            flag(question.contains("_")),
            flag(options.contains { $0.contains("True") || $0.contains("False") || $0.contains("Wrong") }),
            flag(lowered.contains("refers to the following") || lowered.contains("following information") || lowered.contains("following passage") || lowered.contains("following excerpt")),
            flag(judgementPhrases.contains { lowered.contains($0) }),
            flag(!computationWords.isDisjoint(with: lowerWords) || lowered.contains("how many") || lowered.contains("how much") || lowered.contains("what is the value")),
            words.isEmpty ? 0 : Double(words.map(\.count).reduce(0, +)) / Double(words.count) / 10,
            Double(lowerWords.count) / Double(words.count + 1),
            flag(options.contains { option in let o = option.lowercased(); return o.contains("of the above") || o.contains("both") || o.contains("neither") }),
            spread,
            Double(optionWords.intersection(questionLongWords).count) / Double(optionWords.count + 1),
            flag(hasUnit(prompt)),
        ]
    }

    /// The question and the text of its lettered options (`A. …` to `D. …`), if it has them.
    static func split(_ prompt: String) -> (question: Substring, options: [Substring]) {
        guard let start = prompt.range(of: "\nA.") else { return (prompt[...], []) }
        let question = prompt[..<start.lowerBound]
        let options = prompt[start.lowerBound...].split(separator: "\n").compactMap { line -> Substring? in
            guard line.count >= 3, let first = line.first, "ABCD".contains(first), line.dropFirst().hasPrefix(". ") else { return nil }
            return line.dropFirst(3)
        }
        return (question, options)
    }

    private static func flag(_ condition: Bool) -> Double { condition ? 1 : 0 }

    private static func letterWords(_ text: Substring) -> [Substring] {
        text.split { !($0.isASCII && $0.isLetter) }
    }

    private static func occurrences(of needle: String, in text: some StringProtocol) -> Int {
        var count = 0
        var rest = text[...]
        while let range = rest.range(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }

    private static func isNumeric(_ option: Substring) -> Bool {
        !option.isEmpty && option.allSatisfy { $0.isNumber || "-$.,/ %".contains($0) }
    }

    private static func hasUnit(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        for index in scalars.indices where ("0"..."9").contains(scalars[index]) {
            var next = index + 1
            if next < scalars.count, scalars[next] == " " { next += 1 }
            guard next < scalars.count else { continue }
            var end = next
            while end < scalars.count, scalars[end].properties.isAlphabetic || scalars[end] == "%" || scalars[end] == "$" { end += 1 }
            guard end > next else { continue }
            let unit = String(String.UnicodeScalarView(scalars[next..<end]))
            if units.contains(unit) { return true }
        }
        return false
    }

    static let negations: Set<Substring> = ["NOT", "EXCEPT", "LEAST", "FALSE", "INCORRECT"]
    static let judgementPhrases = ["most likely", "best", "primarily", "most appropriate", "strongest", "most accurate"]
    static let computationWords: Set<String> = ["calculate", "compute", "find", "determine"]
    static let units: Set<String> = ["m", "kg", "s", "J", "N", "mol", "K", "%", "$", "cm", "km", "g"]
}
