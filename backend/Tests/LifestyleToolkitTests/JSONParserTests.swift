import XCTest

@testable import LifestyleToolkit

final class JSONParserTests: XCTestCase {
    func parse(_ s: String) throws -> JSONValue { try JSONParser.parse(Array(s.utf8)) }

    /// Everything JSONDecoder accepts into JSONValue comes out the same.
    func testAgreesWithJSONDecoderOnValidDocuments() throws {
        let documents = [
            #"{"a":1,"b":[true,false,null],"c":{"d":"e"},"f":-0.5e3,"g":"","h":[]}"#,
            #"  [1, 2.25, -3, 4E2, 5e-1, 0, -0]  "#,
            #""plain""#,
            #"{"esc":"q\"b\\s\/n\nr\rt\tb\bf\f u\u00e9\u20ac \ud83d\ude00 raw é€😀"}"#,
            #"{"dup":1,"dup":2}"#,
            "\n\t{\r\n\"k\" : [ { } , [ ] ] }\n",
            #"{"big":123456789012345678901234567890,"small":1e-300}"#,
        ]
        for doc in documents {
            let ours = try parse(doc)
            let theirs = try JSON.decode(JSONValue.self, from: Array(doc.utf8))
            XCTAssertEqual(ours, theirs, doc)
        }
        XCTAssertEqual(try parse(#"{"dup":1,"dup":2}"#), .object(["dup": .number(1)]))
        XCTAssertEqual(try parse(#""\ud83d\ude00""#), .string("😀"))
    }

    func testRejectsWhatIsNotJSON() {
        let invalid = [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[01]", "[1.]", "[.5]", "[1e]", "[-]", "[+1]",
            "tru", "nul", "[1] x", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"",
            "\"tab\there\"", "{\"a\":1}{}", "[1e400]", "NaN", "'single'",
            String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
        ]
        for doc in invalid {
            XCTAssertThrowsError(try parse(doc), "accepted: \(doc)")
        }
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]), "invalid UTF-8 accepted")
    }

    func testTrimmingWhitespaceMatchesFoundationsWhitespaceSet() {
        XCTAssertEqual("  a b \t".trimmingWhitespace(), "a b")
        XCTAssertEqual("\u{00A0}x\u{3000}".trimmingWhitespace(), "x")
        XCTAssertEqual("\nx\n".trimmingWhitespace(), "\nx\n")
        XCTAssertEqual(" \t ".trimmingWhitespace(), "")
    }

    func testQuotingEscapesOnlyWhatJSONRequires() {
        var out = ""
        JSONText.appendQuoted("plain é 😀", to: &out)
        XCTAssertEqual(out, "\"plain é 😀\"")
        out = ""
        JSONText.appendQuoted("a\"b\\c\nd\u{01}e", to: &out)
        XCTAssertEqual(out, #""a\"b\\c\nd\u0001e""#)
        XCTAssertEqual(try JSONParser.parse(Array(out.utf8)), .string("a\"b\\c\nd\u{01}e"))
    }
}
