/// A prompt as lower-case bytes for fast cue matching: the router runs on every request, and
/// byte search is tens of times faster than `String.contains` over grapheme clusters.
struct PromptBytes {
    /// Lower-cased words separated by single spaces, with a space at each end, so that a cue
    /// written as `" cue"` matches only at the start of a word ("api" must not match "capital";
    /// "analy" matches "analyse" and "analyze"). ASCII punctuation separates words; other bytes
    /// (letters beyond ASCII) stay inside them.
    let words: [UInt8]
    /// The whole prompt, ASCII letters lower-cased, for symbol cues such as `=>` or `c++`.
    let raw: [UInt8]

    init(_ prompt: String) {
        var raw: [UInt8] = []
        raw.reserveCapacity(prompt.utf8.count)
        var words: [UInt8] = [0x20]
        words.reserveCapacity(prompt.utf8.count + 2)
        for byte in prompt.utf8 {
            let lower = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
            raw.append(lower)
            let isWordByte = (0x61...0x7A).contains(lower) || (0x30...0x39).contains(lower) || lower >= 0x80
            if isWordByte {
                words.append(lower)
            } else if words.last != 0x20 {
                words.append(0x20)
            }
        }
        if words.last != 0x20 { words.append(0x20) }
        self.words = words
        self.raw = raw
    }

    /// Whether `needle` occurs in `haystack`.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                let first = pin[0]
                let last = hay.count - pin.count
                var index = 0
                while index <= last {
                    if hay[index] == first {
                        var offset = 1
                        while offset < pin.count, hay[index + offset] == pin[offset] { offset += 1 }
                        if offset == pin.count { return true }
                    }
                    index += 1
                }
                return false
            }
        }
    }

    /// How many of `cues` occur in `text`, and the first that does.
    static func matches(_ text: [UInt8], _ cues: [(name: String, bytes: [UInt8])]) -> (count: Int, first: String?) {
        var count = 0
        var first: String?
        for cue in cues where contains(text, cue.bytes) {
            count += 1
            if first == nil { first = cue.name }
        }
        return (count, first)
    }

    /// Cues as word-start patterns (`" cue"`).
    static func wordCues(_ cues: [String]) -> [(name: String, bytes: [UInt8])] {
        cues.map { ($0, Array((" " + $0).utf8)) }
    }

    /// Cues matched anywhere.
    static func symbolCues(_ cues: [String]) -> [(name: String, bytes: [UInt8])] {
        cues.map { ($0, Array($0.utf8)) }
    }

    /// Whether the prompt has digits on both sides of an operator, e.g. `3x + 5 = 20`.
    var containsEquation: Bool {
        var sawDigit = false
        var sawOperatorAfterDigit = false
        for byte in raw {
            switch byte {
            case 0x30...0x39:
                if sawOperatorAfterDigit { return true }
                sawDigit = true
            case 0x2B, 0x2D, 0x2A, 0x2F, 0x5E:  // + - * / ^ (after a digit or not, as the router was trained)
                sawOperatorAfterDigit = true
            case 0x3D where sawDigit:  // =
                sawOperatorAfterDigit = true
            case 0x20, 0x09, 0x0A, 0x61...0x7A, 0x80...:
                break
            default:
                sawOperatorAfterDigit = false
            }
        }
        return false
    }

    /// The number of `?`, and of lines that start (after spaces) with a digit, `-` or `*`.
    var parts: (questions: Int, enumerated: Int) {
        var questions = 0, enumerated = 0
        var atLineStart = true
        for byte in raw {
            if byte == 0x3F { questions += 1 }
            if byte == 0x0A {
                atLineStart = true
            } else if atLineStart, byte != 0x20, byte != 0x09 {
                if (0x30...0x39).contains(byte) || byte == 0x2D || byte == 0x2A { enumerated += 1 }
                atLineStart = false
            }
        }
        return (questions, enumerated)
    }
}
