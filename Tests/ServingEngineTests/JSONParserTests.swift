import Testing
@testable import ServingEngine

@Suite("JSON values: read, written and hashed without Foundation")
struct JSONParserTests {
    @Test func everyKindOfValueIsReadAndWrittenBackUnchanged() throws {
        let text = #"{"s":"a\"b\\c\n\u00e9😀","i":-42,"big":9007199254740993,"d":0.25,"e":1e-05,"t":true,"f":false,"n":null,"l":[1,[2,{}]],"o":{}}"#
        let value = try JSONParser.parse(text)
        #expect(value["s"]?.stringValue == "a\"b\\c\né😀")
        #expect(value["i"] == .integer(-42))
        #expect(value["big"] == .integer(9_007_199_254_740_993), "a seed survives the trip exactly")
        #expect(value["d"] == .double(0.25))
        #expect(value["e"]?.doubleValue == 0.00001)
        #expect(value["n"]?.isNull == true)
        let again = try JSONParser.parse(value.jsonString)
        #expect(again == value)
        #expect(value.objectValue?.keys == ["s", "i", "big", "d", "e", "t", "f", "n", "l", "o"], "members keep the order they came in")
    }

    @Test func surrogatePairEscapesBecomeOneCharacterAndHalvesAreRefused() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(#""\ud83d x""#) }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(#""\ude00""#) }
    }

    @Test func brokenTextIsRefusedWithItsLineAndColumn() {
        let cases: [(String, String, Int, Int)] = [
            ("{\n  \"a\": 1,\n  \"b\" 2\n}", "expected ':'", 3, 7),
            ("[1, 2", "ends early", 1, 6),
            ("{\"a\": tru}", "expected 'true'", 1, 7),
            ("[01]", "leading zeros", 1, 2),
            ("{\"a\":1,}", "expected a key", 1, 8),
            ("\"x\ny\"", "control character", 1, 3),
            ("{} {}", "after the JSON value", 1, 4),
            ("1e999", "too large", 1, 1),
        ]
        for (text, reason, line, column) in cases {
            do {
                _ = try JSONParser.parse(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.reason.contains(reason), "\(text): \(error)")
                #expect(error.line == line && error.column == column, "\(text): \(error)")
            }
        }
    }

    @Test func invalidUTF8IsRefusedAtItsByte() {
        var bytes = Array(#"{"a":"xy"}"#.utf8)
        bytes[7] = 0xFF
        do {
            _ = try JSONParser.parse(bytes)
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.offset == 7)
            #expect(error.reason.contains("UTF-8"))
        }
    }

    @Test func nestingDeeperThanTheLimitIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect((try? JSONParser.parse(fine)) != nil)
    }

    @Test func theStableHashIgnoresMemberOrderButNotValues() throws {
        let a = try JSONParser.parse(#"{"tools":[{"name":"x"}],"seed":1}"#)
        let b = try JSONParser.parse(#"{"seed":1,"tools":[{"name":"x"}]}"#)
        let c = try JSONParser.parse(#"{"seed":2,"tools":[{"name":"x"}]}"#)
        #expect(a.stableHash == b.stableHash)
        #expect(a == b)
        #expect(a.stableHash != c.stableHash)
    }

    @Test func controlCharactersAreEscapedWhenWritten() {
        let value = JSONValue.string("a\u{01}b\tc")
        #expect(value.jsonString == #""a\u0001b\tc""#)
    }
}
