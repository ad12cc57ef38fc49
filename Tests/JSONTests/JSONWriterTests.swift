import JSON
import Testing

@Suite struct JSONWriterTests {
    @Test func pythonStyleMatchesJsonDumpsDefaults() {
        // json.dumps([[2, 2], {"z": "ü"}, {"callbacks": None}]) in Python 3.
        let value: JSONValue = .array([.array([.integer(2), .integer(2)]), .object(["z": .string("ü")]), .object(["callbacks": .null])])
        #expect(JSONWriter.string(value) == #"[[2, 2], {"z": "\u00fc"}, {"callbacks": null}]"#)
    }

    @Test func pythonStyleEscapesLikeEnsureAscii() {
        // json.dumps("q\"\\\n\t\x01\x7f😀é")
        let text = JSONWriter.string(.string("q\"\\\n\t\u{01}\u{7f}😀é"))
        #expect(text == #""q\"\\\n\t\u0001\u007f\ud83d\ude00\u00e9""#)
    }

    @Test func compactStyleKeepsUTF8AndDropsSpaces() {
        let value: JSONValue = .object(["a": .array([.integer(1), .string("ü")])])
        #expect(JSONWriter.string(value, style: .compact) == #"{"a":[1,"ü"]}"#)
    }

    @Test func piecewiseWritingMatchesWholeValues() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("id")
        writer.string("x")
        writer.key("n")
        writer.integer(-3)
        writer.key("raw")
        writer.rawValue(Array("[1, 2]".utf8))
        writer.key("nested")
        writer.beginArray()
        writer.null()
        writer.bool(true)
        writer.endArray()
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"id": "x", "n": -3, "raw": [1, 2], "nested": [null, true]}"#)
    }

    @Test func floatsRoundTripInShortestForm() {
        #expect(JSONNumber(0.1).literal == "0.1")
        #expect(JSONNumber(30.0).literal == "30.0")
        #expect(JSONNumber(1e-7).literal == "1e-07")
    }

    @Test func roundTripPreservesEverything() throws {
        let text = #"{"args": [1, 2.50, -0, 1e400, "\u00e9"], "kwargs": {"big": 18446744073709551616, "s": null}}"#
        let value = try JSONParser.parse(text)
        #expect(try JSONParser.parse(JSONWriter.serialize(value)) == value)
        #expect(JSONWriter.string(value) == text)
    }

    @Test func numbersCompareByKindAndValue() throws {
        #expect(JSONNumber(literal: "1") != JSONNumber(literal: "1.0"))
        #expect(JSONNumber(literal: "1.0") == JSONNumber(literal: "1.00"))
        #expect(JSONNumber(literal: "1e2") == JSONNumber(literal: "100.0"))
        #expect(JSONNumber(literal: "01") == nil)
        #expect(JSONNumber(literal: "1 ") == nil)
    }
}
