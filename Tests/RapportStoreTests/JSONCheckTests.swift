import Foundation
import Testing
@testable import RapportStore

@Suite struct JSONCheckTests {
    func failure(_ s: String) -> JSONCheck.Failure? { JSONCheck.check(Array(s.utf8)) }

    @Test func acceptsValidDocuments() {
        for doc in ["{}", "[]", "0", "-0.5e+3", "\"a\\u00e9\\ud83d\\ude00\\n\"", "true", " null ",
                    "{\"a\":[1,{\"b\":null}],\"c\":\"ü\"}", "[1e308, -1E-400, 12345678901234567890]"] {
            #expect(failure(doc) == nil, "\(doc)")
        }
    }

    @Test(arguments: [
        ("", 0, "the file is empty"),
        ("   ", 3, "only white space"),
        ("{\"a\":1,}", 7, "trailing comma before '}'"),
        ("[1,2,]", 5, "trailing comma before ']'"),
        ("{\"a\":1,\"b\":2,\"a\":3}", 13, "duplicate key \"a\""),
        ("{\"a\":{\"x\":1},\"b\":{\"x\":2}}", -1, ""),
        ("{\"a\":1e400}", 5, "out of range"),
        ("{\"a\":NaN}", 5, "NaN and Infinity"),
        ("[-Infinity]", 1, "a '-' that is not followed by a digit"),
        ("{\"a\":01}", 5, "leading zero"),
        ("{\"a\":\"x\u{01}\"}", 7, "raw control character"),
        ("{\"a\":1} x", 8, "after the end of the JSON value"),
        ("{\"a\" 1}", 5, "expected ':'"),
        ("{\"a\":[1,2}", 9, "expected ',' or ']'"),
        ("{\"a\":\"\\ud800\"}", 6, "lone UTF-16 surrogate"),
        ("{\"a\":\"\\q\"}", 6, "bad escape"),
        ("{\"a\":tru}", 5, "not true, false or null"),
        ("{\"a\":\"abc", 5, "never ends"),
        ("{\"a\":[1,", 8, "ends in the middle"),
        ("\u{FEFF}{}", 0, "byte-order mark"),
    ] as [(String, Int, String)])
    func reportsWhereAndWhat(doc: String, offset: Int, message: String) {
        let f = failure(doc)
        if offset < 0 {
            #expect(f == nil, "same key in different objects is fine")
        } else {
            #expect(f?.offset == offset, "\(doc): \(String(describing: f))")
            #expect(f?.message.contains(message) == true, "\(doc): \(String(describing: f))")
        }
    }

    @Test func escapedDuplicateKeysAreCaught() {
        #expect(failure("{\"ab\":1,\"a\\u0062\":2}")?.message.contains("duplicate key") == true)
    }

    @Test func nulBytesAndInvalidUTF8AreNamedWithTheirOffset() {
        #expect(JSONCheck.check([0, 0, 0]) == JSONCheck.Failure(offset: 0, message: "unexpected NUL byte where a value should be"))
        let bad: [UInt8] = Array("{\"a\":\"x".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        #expect(JSONCheck.check(bad) == JSONCheck.Failure(offset: 7, message: "invalid UTF-8"))
        let overlong: [UInt8] = Array("[\"".utf8) + [0xC0, 0x80] + Array("\"]".utf8)
        #expect(JSONCheck.check(overlong)?.message == "invalid UTF-8")
        let surrogate: [UInt8] = Array("[\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"]".utf8)
        #expect(JSONCheck.check(surrogate)?.message == "invalid UTF-8")
    }

    @Test func deepNestingIsRefusedWithoutRecursion() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let f = failure(deep)
        #expect(f?.offset == JSONCheck.maxDepth)
        #expect(f?.message.contains("nesting deeper than") == true)
        let ok = String(repeating: "[", count: JSONCheck.maxDepth) + String(repeating: "]", count: JSONCheck.maxDepth)
        #expect(failure(ok) == nil)
    }

    @Test func positionCountsLinesAndColumns() {
        let b = Array("{\n  \"a\": 1,\n  \"a\": 2\n}".utf8)
        let f = JSONCheck.check(b)!
        let (line, col) = JSONCheck.position(of: f.offset, in: b)
        #expect(line == 3 && col == 3)
    }

    @Test func everyPrefixOfAValidDocumentIsRefused() {
        let doc = Array("{\"a\":[1,2.5,{\"b\":\"c\\\"d\"}],\"e\":null,\"f\":true}".utf8)
        #expect(JSONCheck.check(doc) == nil)
        for k in 0..<doc.count {
            #expect(JSONCheck.check(Array(doc[0..<k])) != nil, "prefix of \(k) bytes")
        }
    }
}

@Suite struct JSONCheckWordingTests {
    @Test func aWordThatIsNotNaNIsNotCalledNaN() {
        #expect(JSONCheck.check(Array("NOT JSON".utf8))?.message == "unexpected 'N' where a value should be")
        #expect(JSONCheck.check(Array("[NaN]".utf8))?.message == "NaN and Infinity are not JSON numbers")
        #expect(JSONCheck.check(Array("Infinity".utf8))?.message == "NaN and Infinity are not JSON numbers")
    }
}
