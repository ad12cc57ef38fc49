import JSON
import PropertyBased
import Testing
import YAML

/// `YAMLWriter` promises YAML that reads back as the same values. Against ruamel.yaml on
/// generated values: `IntegrationTests.YAMLDifferentialTests`; here, swiftbeat's own reader, with
/// shrinking, so a failure comes down to the smallest value that shows it.
@Suite struct YAMLWriterTests {
    /// Strings YAML could read as something else when plain: core-schema scalars, indicators,
    /// comment and mapping punctuation, line breaks, and then any text.
    static let strings = Gen<String>.oneOf(
        Gen.element(of: ["", "yes", "07", "0x1F", "1e3", ".5", "null", "~", "true", "*/5 * * * *", "- x", "#c", "a: b", "a #b", "'q'", "\"", "@x", "%", "\t", "\u{FEFF}", "2024-01-01", "1_000", " a", "a "]).map { $0! },
        Gen.unicodeScalar(in: "\u{0}"..."\u{7F}").array(of: 0...8).map { String(String.UnicodeScalarView($0)) },
        // Two ranges: a surrogate is no scalar (the generator would crash making one).
        Gen<UnicodeScalar>.oneOf(Gen.unicodeScalar(in: "\u{0}"..."\u{D7FF}"), Gen.unicodeScalar(in: "\u{E000}"..."\u{10FFFF}"))
            .array(of: 0...4).map { String(String.UnicodeScalarView($0)) })

    static let scalars = Gen<JSONValue>.oneOf(
        strings.map(JSONValue.string),
        Gen.int64(in: .min ... .max).map(JSONValue.integer),
        Gen.double(in: -1e20...1e20).map(JSONValue.double),
        Gen.element(of: [JSONValue.null, .bool(true), .bool(false), .number(JSONNumber(literal: "123456789012345678901234567890")!)]).map { $0! })

    @Test func generatedDocumentsReadBackAsWritten() async {
        await propertyCheck(count: 300, input: Self.strings.array(of: 0...6), Self.scalars.array(of: 0...6)) { keys, scalars in
            var object = JSONObject()
            for (index, key) in keys.enumerated() {
                object[key] = scalars.isEmpty ? .null : index % 3 == 2 ? .array(scalars) : .object([key: scalars[index % scalars.count]])
            }
            let value = JSONValue.object(["entry": .object(object), "args": .array(scalars)])
            let written = YAMLWriter.document(value)
            let read = Result { () throws(YAMLError) -> JSONValue in try YAML.parse(written) }
            #expect(read == .success(value), "written as \(written.debugDescription)")
        }
    }

    /// Entries from Redis may repeat a key (`{"a": 1, "a": 2}` is JSON, and `json.loads` keeps the
    /// last); YAML refuses a repeated key, so the writer writes each once, as it is read.
    @Test func repeatedKeysAreWrittenOnceWithTheirLastValue() throws {
        let value = try JSONParser.parse(#"{"kwargs": {"a": 1, "b": [1, 2, 3, 4, 5, {"c": 1, "c": 2}], "a": {"x": 1, "y": 2}}, "args": {"k": 1, "k": 2}}"#)
        let written = YAMLWriter.document(value)
        #expect(
            try YAML.parse(written)
                == JSONParser.parse(#"{"kwargs": {"a": {"x": 1, "y": 2}, "b": [1, 2, 3, 4, 5, {"c": 2}]}, "args": {"k": 2}}"#),
            "written as \(written.debugDescription)")
    }

    /// A mapping in a sequence is written `- key: value`, its first line's indentation replaced by
    /// the dash; a first key starting with a combining mark (U+0301) once lost that mark with it.
    @Test func aFirstKeyStartingWithACombiningMarkKeepsIt() throws {
        let value = JSONValue.object(["entry": .array([.object(["\u{301}k": .array([.integer(1), .object(["x": .array([.integer(1)])])])])])])
        let written = YAMLWriter.document(value)
        let read = Result { () throws(YAMLError) -> JSONValue in try YAML.parse(written) }
        #expect(read == .success(value), "written as \(written.debugDescription)")
    }

    /// Plain strings in YAML 1.2 that YAML 1.1 readers (PyYAML; ruamel.yaml keeps some of 1.1 even
    /// in 1.2 mode, and refuses `=`) read as booleans, numbers, dates, its `value` type or merge key:
    /// quoted, every reader reads the string.
    @Test(arguments: ["=", "<<", "yes", "No", "off", "y", "1_000", "-1_0.5", "0b101", "7_", "1:20", "-12:30:05", "2024-01-01", "2024-1-1 10:00"])
    func yaml11ScalarsAreQuoted(text: String) {
        #expect(YAMLWriter.document(.object(["a": .string(text)])) == "a: \"\(text)\"\n")
    }

    @Test(arguments: ["yesterday", "on-call", "1.5.3", "v1_0", "2024x", "12-30", "a:b", "_1"])
    func otherScalarsStayPlain(text: String) {
        #expect(YAMLWriter.document(.object(["a": .string(text)])) == "a: \(text)\n")
    }
}
