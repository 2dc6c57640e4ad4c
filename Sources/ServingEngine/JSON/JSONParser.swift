/// Reads JSON text into a ``JSONValue`` in one pass over the bytes, without Foundation, and says
/// where and why text is not JSON (`expected ':' after the key at line 2, column 9 (byte 17)`).
///
/// Follows RFC 8259: no comments, no trailing commas, no leading zeros, strings of valid UTF-8 with
/// paired surrogate escapes. Nesting is bounded so that hostile input cannot exhaust the stack.
public struct JSONParser {
    /// Where and why the text is not JSON.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong, e.g. `expected a value`.
        public var reason: String
        /// The byte offset where it went wrong.
        public var offset: Int
        /// The 1-based line of ``offset``.
        public var line: Int
        /// The 1-based column (in bytes) of ``offset``.
        public var column: Int

        public var description: String {
            "\(reason) at line \(line), column \(column) (byte \(offset))"
        }
    }

    /// The deepest nesting of lists and objects accepted.
    public static let maxDepth = 256

    /// Parses `bytes`, which must hold exactly one JSON value (with optional whitespace around it).
    public static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { (buffer) throws(Failure) -> JSONValue in
            var parser = Reader(bytes: buffer)
            try parser.checkEncoding()
            parser.skipWhitespace()
            guard !parser.atEnd else { throw parser.failure(buffer.isEmpty ? "the text is empty" : "the text holds only whitespace") }
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.atEnd else { throw parser.failure("unexpected text after the JSON value") }
            return value
        }
    }

    /// Parses `text`.
    public static func parse(_ text: String) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        var atEnd: Bool { position >= bytes.count }

        func failure(_ reason: String, at offset: Int? = nil) -> Failure {
            let offset = min(offset ?? position, bytes.count)
            var line = 1, column = 1
            for byte in bytes[..<offset] {
                if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
            }
            return Failure(reason: reason, offset: offset, line: line, column: column)
        }

        /// Rejects text that is not UTF-8 before reading it, so strings can be decoded without checks.
        func checkEncoding() throws(Failure) {
            var index = 0
            let count = bytes.count
            while index < count {
                let lead = bytes[index]
                if lead < 0x80 { index += 1; continue }
                let length: Int
                var minimum: UInt32
                var scalar: UInt32
                switch lead {
                case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(lead & 0x1F)
                case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(lead & 0x0F)
                case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(lead & 0x07)
                default: throw failure("byte \(index) is not valid UTF-8; send the body as UTF-8", at: index)
                }
                guard index + length <= count else { throw failure("byte \(index) is not valid UTF-8 (a character is cut off); send the body as UTF-8", at: index) }
                for next in 1..<length {
                    let byte = bytes[index + next]
                    guard byte & 0xC0 == 0x80 else { throw failure("byte \(index) is not valid UTF-8; send the body as UTF-8", at: index) }
                    scalar = scalar << 6 | UInt32(byte & 0x3F)
                }
                guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                    throw failure("byte \(index) is not valid UTF-8; send the body as UTF-8", at: index)
                }
                minimum = 0
                index += length
            }
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard position < bytes.count else { throw failure("the text ends early, where a value was expected; is it truncated or a bracket unclosed?") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return .object(try object(depth: depth + 1))
            case UInt8(ascii: "["): return .array(try array(depth: depth + 1))
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw failure("expected a value (an object, list, string, number, true, false or null)")
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let start = position
            let length = word.utf8CodeUnitCount
            guard position + length <= bytes.count else { throw failure("expected '\(word)'", at: start) }
            for offset in 0..<length where bytes[position + offset] != word.utf8Start[offset] {
                throw failure("expected '\(word)'", at: start)
            }
            position += length
        }

        mutating func object(depth: Int) throws(Failure) -> JSONObject {
            guard depth <= JSONParser.maxDepth else { throw failure("lists and objects are nested more than \(JSONParser.maxDepth) levels deep") }
            position += 1
            var object = JSONObject()
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return object
            }
            while true {
                skipWhitespace()
                guard position < bytes.count else { throw failure("the text ends early, inside an object; is it truncated or a brace unclosed?") }
                guard bytes[position] == UInt8(ascii: "\"") else { throw failure("expected a key in double quotes") }
                let key = try string()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                    throw failure(position < bytes.count ? "expected ':' after the key \"\(key.prefix(40))\"" : "the text ends early, inside an object; is it truncated?")
                }
                position += 1
                skipWhitespace()
                object[key] = try value(depth: depth)
                skipWhitespace()
                guard position < bytes.count else { throw failure("the text ends early, inside an object; is it truncated or a brace unclosed?") }
                switch bytes[position] {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"): position += 1; return object
                default: throw failure("expected ',' or '}' after the value of \"\(key.prefix(40))\"")
                }
            }
        }

        mutating func array(depth: Int) throws(Failure) -> [JSONValue] {
            guard depth <= JSONParser.maxDepth else { throw failure("lists and objects are nested more than \(JSONParser.maxDepth) levels deep") }
            position += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return elements
            }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth))
                skipWhitespace()
                guard position < bytes.count else { throw failure("the text ends early, inside a list; is it truncated or a bracket unclosed?") }
                switch bytes[position] {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"): position += 1; return elements
                default: throw failure("expected ',' or ']' after a list element")
                }
            }
        }

        mutating func string() throws(Failure) -> String {
            let opening = position
            position += 1
            var start = position
            var pieces: [UInt8]? = nil
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    let tail = UnsafeBufferPointer(rebasing: bytes[start..<position])
                    position += 1
                    guard var pieces else { return String(decoding: tail, as: UTF8.self) }
                    pieces.append(contentsOf: tail)
                    return String(decoding: pieces, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    if pieces == nil { pieces = [] }
                    pieces!.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
                    try escape(into: &pieces!)
                    start = position
                case 0..<0x20:
                    throw failure("a control character (byte \(byte)) appears unescaped inside a string; write it as \\n, \\t or \\u00XX")
                default:
                    position += 1
                }
            }
            throw failure("the string that starts here never ends; is the text truncated or a quote missing?", at: opening)
        }

        mutating func escape(into out: inout [UInt8]) throws(Failure) {
            let start = position
            guard position + 1 < bytes.count else { throw failure("the text ends inside an escape", at: start) }
            let letter = bytes[position + 1]
            position += 2
            switch letter {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(letter)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                let high = try hex4(escapeStart: start)
                var scalar = UInt32(high)
                if (0xD800...0xDBFF).contains(high) {
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                        throw failure("the escape is half of a UTF-16 surrogate pair, which is not a character; send the character itself or both halves", at: start)
                    }
                    position += 2
                    let low = try hex4(escapeStart: start)
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw failure("the escape is half of a UTF-16 surrogate pair, which is not a character; send the character itself or both halves", at: start)
                    }
                    scalar = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(high) {
                    throw failure("the escape is half of a UTF-16 surrogate pair, which is not a character; send the character itself or both halves", at: start)
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default:
                throw failure("'\\\(Character(Unicode.Scalar(letter)))' is not a JSON escape; use \\\\, \\\", \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX", at: start)
            }
        }

        mutating func hex4(escapeStart: Int) throws(Failure) -> UInt16 {
            guard position + 4 <= bytes.count else { throw failure("a \\u escape needs four hex digits", at: escapeStart) }
            var value: UInt16 = 0
            for offset in 0..<4 {
                let byte = bytes[position + offset]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("a \\u escape needs four hex digits", at: escapeStart)
                }
                value = value << 4 | UInt16(digit)
            }
            position += 4
            return value
        }

        mutating func number() throws(Failure) -> JSONValue {
            let start = position
            func digits() -> Int {
                let from = position
                while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
                return position - from
            }
            if bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) else {
                throw failure("a number needs a digit after '-'", at: start)
            }
            if bytes[position] == UInt8(ascii: "0") {
                position += 1
                if position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                    throw failure("numbers do not start with 0 (leading zeros are not JSON)", at: start)
                }
            } else {
                _ = digits()
            }
            var isInteger = true
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                isInteger = false
                position += 1
                guard digits() > 0 else { throw failure("a number needs a digit after '.'", at: start) }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                isInteger = false
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
                guard digits() > 0 else { throw failure("a number needs digits in its exponent", at: start) }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            if isInteger, let integer = Int64(text) { return .integer(integer) }
            guard let double = Double(text), double.isFinite else {
                throw failure("the number \(text.prefix(40)) is too large to represent", at: start)
            }
            return .double(double)
        }
    }
}
