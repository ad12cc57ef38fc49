import JSON
import Testing
import YAML

/// The YAML subset schedule files are written in; each expectation is what YAML 1.2's core schema
/// gives (as ruamel.yaml or any 1.2 reader would), written as compact JSON so member order counts.
@Suite struct YAMLReaderTests {
    private func json(_ yaml: String) throws -> String {
        JSONWriter.string(try YAML.parse(yaml), style: .compact)
    }

    private func error(_ yaml: String) -> YAMLError? {
        do {
            _ = try YAML.parse(yaml)
            return nil
        } catch {
            return error
        }
    }

    @Test func blockMappingsNestAndKeepTheirOrder() throws {
        let yaml = """
            # a schedule
            b-entry:
              task: tasks.b
              options:
                queue: reports   # a comment
                priority: 5

            a-entry:
              task: tasks.a
            """
        #expect(try json(yaml) == #"{"b-entry":{"task":"tasks.b","options":{"queue":"reports","priority":5}},"a-entry":{"task":"tasks.a"}}"#)
    }

    @Test func blockSequencesIndentedOrAtTheKeysIndentation() throws {
        #expect(try json("args:\n  - 1\n  - two\nkwargs: {}") == #"{"args":[1,"two"],"kwargs":{}}"#)
        #expect(try json("args:\n- 1\n- two\nkwargs: {}") == #"{"args":[1,"two"],"kwargs":{}}"#)
        #expect(try json("- - a\n  - b\n- c") == #"[["a","b"],"c"]"#)
        #expect(try json("-\n  x: 1\n-") == #"[{"x":1},null]"#)
    }

    @Test func compactMappingsInSequences() throws {
        let yaml = """
            - task: a
              args: [1]
            - task: b
              kwargs:
                x: 1
            """
        #expect(try json(yaml) == #"[{"task":"a","args":[1]},{"task":"b","kwargs":{"x":1}}]"#)
    }

    @Test func flowCollectionsOnOneLineOrMany() throws {
        #expect(try json("a: [1, 'two', \"three\", [4], {five: 5}]") == #"{"a":[1,"two","three",[4],{"five":5}]}"#)
        #expect(try json("a: {every: 30, period: seconds}") == #"{"a":{"every":30,"period":"seconds"}}"#)
        #expect(try json("a: {\"every\":30,\"period\":\"seconds\"}") == #"{"a":{"every":30,"period":"seconds"}}"#)
        #expect(try json("a: [\n  1,   # one\n  2,\n]\nb: {x, y: }") == #"{"a":[1,2],"b":{"x":null,"y":null}}"#)
        #expect(try json("a: []\nb: {}") == #"{"a":[],"b":{}}"#)
        #expect(try json("a: [k: v]") == #"{"a":[{"k":"v"}]}"#)
        #expect(try json("a: [http://x/y, a:b]") == #"{"a":["http://x/y","a:b"]}"#)
    }

    @Test(arguments: [
        ("~", "null"), ("null", "null"), ("Null", "null"), ("NULL", "null"), ("", "null"),
        ("true", "true"), ("True", "true"), ("FALSE", "false"),
        ("yes", #""yes""#), ("no", #""no""#), ("on", #""on""#), ("off", #""off""#), ("y", #""y""#),
        ("07", "7"), ("0", "0"), ("-0", "0"), ("+12", "12"), ("-12", "-12"), ("0x1F", "31"), ("0o17", "15"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        ("1.5", "1.5"), ("-1.50", "-1.50"), (".5", "0.5"), ("1.", "1.0"), ("1e3", "1e3"), ("+1.5E-3", "1.5E-3"),
        ("007.25", "7.25"),
        ("1_000", #""1_000""#), ("0b101", #""0b101""#), ("2024-01-01", #""2024-01-01""#), ("1:30", #""1:30""#),
        ("tasks.add", #""tasks.add""#), ("5/*", #""5/*""#), ("0 7 * * mon", #""0 7 * * mon""#),
        ("a#b", #""a#b""#), ("-5s", #""-5s""#), ("trueish", #""trueish""#), ("héllo", #""héllo""#),
    ])
    func plainScalarsResolveByTheCoreSchema(yaml: String, expected: String) throws {
        #expect(try json("v: \(yaml)") == #"{"v":\#(expected)}"#)
    }

    @Test func quotedScalarsAreAlwaysStrings() throws {
        #expect(try json(#"a: "07""#) == #"{"a":"07"}"#)
        #expect(try json("a: '07'") == #"{"a":"07"}"#)
        #expect(try json("a: 'true'") == #"{"a":"true"}"#)
        #expect(try json("a: \"\"") == #"{"a":""}"#)
        #expect(try json("a: 'it''s'") == #"{"a":"it's"}"#)
        #expect(try json("a: '# not a comment'  # a comment") == ##"{"a":"# not a comment"}"##)
    }

    @Test func doubleQuotedEscapes() throws {
        let value = try YAML.parse(#"a: "q\"\\\/\n\t\x41\u00e9\U0001F600\ud83d\ude00\_\0\e end""#)
        #expect(value.objectValue?["a"] == .string("q\"\\/\n\tAé😀😀\u{A0}\u{0}\u{1B} end"))
        #expect(error(#"a: "\q""#)?.reason.contains("unknown escape") == true)
        #expect(error(#"a: "\ud83d""#)?.reason.contains("surrogate") == true)
        #expect(error(#"a: "\x4""#)?.reason.contains("hexadecimal") == true)
    }

    @Test func scalarsFoldOverLines() throws {
        #expect(try json("a: one\n  two\n\n  three\nb: x") == #"{"a":"one two\nthree","b":"x"}"#)
        #expect(try json("a: \"one\n  two  \n\n  three\"") == #"{"a":"one two\nthree"}"#)
        #expect(try json("a: \"one\\\n  two\"") == #"{"a":"onetwo"}"#)
        #expect(try json("a: 'one\n  two'") == #"{"a":"one two"}"#)
        #expect(try json("- one\n  two\n- three") == #"["one two","three"]"#)
    }

    @Test func literalAndFoldedBlockScalars() throws {
        #expect(try json("a: |\n  line 1\n    indented\n\n  line 3\nb: 1") == #"{"a":"line 1\n  indented\n\nline 3\n","b":1}"#)
        #expect(try json("a: >\n  folded\n  text\n\n  para\nb: 1") == #"{"a":"folded text\npara\n","b":1}"#)
        #expect(try json("a: |-\n  x\n\nb: 1") == #"{"a":"x","b":1}"#)
        #expect(try json("a: |+\n  x\n\nb: 1") == #"{"a":"x\n\n","b":1}"#)
        #expect(try json("a: |2\n    x\nb: 1") == #"{"a":"  x\n","b":1}"#)
        #expect(try json("a: >\n  one\n    more\n  two\n") == #"{"a":"one\n  more\ntwo\n"}"#)
        #expect(try json("- |\n  x # not a comment\n- y") == #"["x # not a comment\n","y"]"#)
        #expect(try json("a: |\nb: 1") == #"{"a":"","b":1}"#)
    }

    @Test func documentMarkersCommentsAndLineEndings() throws {
        #expect(try json("---\na: 1\n...\n") == #"{"a":1}"#)
        #expect(try json("--- # schedule\na: 1") == #"{"a":1}"#)
        #expect(try json("\u{FEFF}a: 1\r\nb: 2\r\n") == #"{"a":1,"b":2}"#)
        #expect(try json("# only a comment\n\n") == "null")
        #expect(try json("") == "null")
        #expect(try json("  a: 1\n  b: 2") == #"{"a":1,"b":2}"#)
        #expect(try json("a:\tb") == #"{"a":"b"}"#)
        #expect(try json("30: x\ntrue: y\n\"q\": z") == #"{"30":"x","true":"y","q":"z"}"#)
    }

    @Test func keyLinesOfTheTopLevelMapping() throws {
        let document = try YAML.parseDocument("# header\nfirst:\n  task: a\n\nsecond: {task: b}\n")
        #expect(document.keyLines == ["first": 2, "second": 5])
    }

    @Test(arguments: [
        ("a: &x 1\nb: *x", 1, "anchors (&)"),
        ("a: 1\nb: *x", 2, "aliases (*)"),
        ("minute: *", 1, "aliases (*)"),
        ("a: !!str 1", 1, "tags (!)"),
        ("? a\n: b", 1, "complex keys"),
        ("%YAML 1.2\n---\na: 1", 1, "directives"),
        ("a: 1\n---\nb: 2", 2, "one document"),
        ("a:\n\tb: 1", 2, "tabs"),
        ("a: 1\na: 2", 2, "duplicate key \"a\""),
        ("a: {x: 1, x: 2}", 1, "duplicate key \"x\""),
        ("a: b: c", 1, "mapping cannot start on the line"),
        ("a: - b", 1, "block sequence cannot start"),
        ("a: 1\n  b: 2", 2, "mapping cannot start here"),
        ("a:\n  - 1\n  b: 2", 3, "unexpected"),
        ("a: [1, 2\nb: 3", 2, "not closed"),
        ("a: [1, 2", 1, "not closed"),
        ("a: \"open\nb: 1", 1, "not closed"),
        ("a: 'open", 1, "not closed"),
        ("a: [1] x", 1, "unexpected text"),
        ("a: \"x\" y", 1, "unexpected text"),
        ("a: .inf", 1, "infinity"),
        ("a: .nan", 1, "NaN"),
        ("a: @x", 1, "reserved"),
        ("a: |x\n  y", 1, "block scalar header"),
        ("a: [- 1]", 1, "cannot be used inside"),
        ("a: {[1]: 2}", 1, "cannot be a key"),
        ("a:\n  b: 1\n c: 2", 3, "unexpected"),
        ("a: 1\n- b", 2, "expected a key"),
        ("a: 0x" + String(repeating: "F", count: 20), 1, "too large"),
    ] as [(String, Int, String)])
    func unsupportedOrInvalidInputNamesItsLine(yaml: String, line: Int, reason: String) {
        let found = error(yaml)
        #expect(found?.line == line, "\(found.map(String.init(describing:)) ?? "no error")")
        #expect(found?.reason.contains(reason) == true, "\(found.map(String.init(describing:)) ?? "no error")")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 5000)
        #expect(error("a: " + deep)?.reason.contains("nesting") == true)
        var block = ""
        for level in 0..<300 { block += String(repeating: " ", count: level) + "k:\n" }
        #expect(error(block)?.reason.contains("nesting") == true)
    }
}
