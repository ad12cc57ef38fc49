import JSON
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2.5e3, true, false, null, "x"], "b": {}} "#)
        let expected: JSONValue = .object([
            "a": .array([.integer(1), .number(JSONNumber(literal: "-2.5e3")!), .bool(true), .bool(false), .null, .string("x")]),
            "b": .object([:]),
        ])
        #expect(value == expected)
    }

    @Test func keepsIntegersBeyond64BitsAndFloatsExactly() throws {
        let value = try JSONParser.parse("[123456789012345678901234567890, 0.1, 9007199254740993]")
        let literals = value.arrayValue?.compactMap { $0.numberValue?.literal }
        #expect(literals == ["123456789012345678901234567890", "0.1", "9007199254740993"])
        #expect(value.arrayValue?[2].numberValue?.int64Value == 9_007_199_254_740_993)
        #expect(JSONWriter.string(value) == "[123456789012345678901234567890, 0.1, 9007199254740993]")
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/d\n\t\u00fc\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\n\tü😀"))
    }

    @Test func keepsMemberOrderAndLastDuplicateWins() throws {
        let object = try #require(try JSONParser.parse(#"{"z": 1, "a": 2, "z": 3}"#).objectValue)
        #expect(object.keys == ["z", "a", "z"])
        #expect(object["z"] == .integer(3))
    }

    @Test(arguments: [
        ("", "unexpected end of input, expected a value"),
        ("{", "expected a string key in an object"),
        (#"{"a" 1}"#, "expected ':' after an object key"),
        ("[1 2]", "expected ',' or ']' in an array"),
        ("01", "unexpected text after the JSON value"),
        ("1.", "expected a digit after '.'"),
        ("-", "expected a digit in a number"),
        ("tru", "invalid literal, expected true"),
        ("\"abc", "unterminated string"),
        ("\"a\u{01}\"", "unescaped control character in a string"),
        (#""\x""#, "invalid escape \\'x'"),
        ("NaN", "unexpected character 'N', expected a value"),
        ("{} {}", "unexpected text after the JSON value"),
    ])
    func rejectsInvalidTextWithAReason(text: String, reason: String) {
        let error = #expect(throws: JSONError.self) { try JSONParser.parse(text) }
        #expect(error?.reason == reason)
    }

    @Test func rejectsInvalidUTF8() {
        let error = #expect(throws: JSONError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        #expect(error?.reason == "string is not valid UTF-8")
    }

    @Test func capsNestingSoHostileDataCannotExhaustTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: JSONError.self) { try JSONParser.parse(deep) }
        #expect(error?.reason == "nesting deeper than 512")
    }

    @Test func layoutGivesTheByteRangeOfEachMemberValue() throws {
        let text = #"{"name": "x", "total_run_count": 41, "extra": [1, {"k": null}]}"#
        let bytes = Array(text.utf8)
        let layout = try JSONParser.parseObjectLayout(bytes)
        let count = try #require(layout.member("total_run_count"))
        #expect(String(decoding: bytes[count.valueRange], as: UTF8.self) == "41")
        let extra = try #require(layout.member("extra"))
        #expect(String(decoding: bytes[extra.valueRange], as: UTF8.self) == #"[1, {"k": null}]"#)
        #expect(bytes[layout.closingBrace] == UInt8(ascii: "}"))
        #expect(layout.closingBrace == bytes.count - 1)
    }

    @Test func locateMembersFindsValueRangesWithoutBuildingThem() throws {
        let text = #"{"a": {"x": [1, "}"]}, "total_run_count": 7, "s": "\"q", "total_run_count": 8}"#
        let bytes = Array(text.utf8)
        let found = try JSONParser.locateMembers(["total_run_count", "missing", "s"], in: bytes)
        #expect(found.ranges[0].map { String(decoding: bytes[$0], as: UTF8.self) } == "8")
        #expect(found.ranges[1] == nil)
        #expect(found.ranges[2].map { String(decoding: bytes[$0], as: UTF8.self) } == #""\"q""#)
        #expect(found.closingBrace == bytes.count - 1)
        #expect(found.memberCount == 4)
        #expect(throws: JSONError.self) { try JSONParser.locateMembers(["a"], in: Array(#"{"a": [1,}"#.utf8)) }
    }

    @Test func locateMembersFindsManyNamesAndOffsetsThemInARange() throws {
        // Many names, found in an object inside a larger text: the ranges are offset to the whole.
        let names = (0..<40).map { "n\($0)" }
        let members = names.enumerated().filter { $0.offset % 3 != 1 }.map { #""\#($0.element)": \#($0.offset)"# }
        let text = "[{" + members.joined(separator: ", ") + "}]"
        let bytes = Array(text.utf8)
        let found = try JSONParser.locateMembers(JSONMemberNames(names), in: bytes, range: 1..<bytes.count - 1)
        for (position, _) in names.enumerated() {
            let value = found[position].map { String(decoding: bytes[$0], as: UTF8.self) }
            #expect(value == (position % 3 == 1 ? nil : String(position)), "n\(position)")
        }
        #expect(found.closingBrace == bytes.count - 2)
        #expect(found.memberCount == members.count)
    }

    @Test func layoutRequiresAnObject() {
        #expect(throws: JSONError.self) { try JSONParser.parseObjectLayout(Array("[1]".utf8)) }
    }
}
