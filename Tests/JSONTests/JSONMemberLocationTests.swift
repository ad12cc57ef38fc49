import JSON
import Testing

/// Reading members from their text, as the entry decoder does, against reading them from the tree.
@Suite struct JSONMemberLocationTests {
    @Test func integersFromTextAreWhatInt64OfTheLiteralGives() throws {
        var edges = ["0", "-0", "7", "-7", "10", "1.0", "1e3", "1E3", "-1.5e-3", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "99999999999999999999999"]
        // Every length from 1 to 24 digits, around and beyond 64 bits, both signs: the digits of a
        // multiplicative walk (deterministic, so a failure can be replayed).
        for step in 0..<3000 {
            let digits = String(UInt64(step + 1) &* 0x9E37_79B9_7F4A_7C15) + String(UInt64(step) &* 0xBF58_476D_1CE4_E5B9)
            var literal = String(digits.prefix(1 + step % 24))
            while literal.count > 1, literal.first == "0" { literal.removeFirst() }
            edges.append(step % 2 == 0 ? literal : "-" + literal)
        }
        for literal in edges {
            let number = try #require(JSONNumber(literal: literal), "\(literal)")
            let expected = number.isInteger ? Int64(literal) : nil
            #expect(number.int64Value == expected, "\(literal)")
            let bytes = Array("[\(literal)]".utf8)
            #expect(JSONParser.int64(bytes, range: 1..<bytes.count - 1) == expected, "\(literal)")
        }
        // Text that is not a number at all.
        for text in [#""5""#, "true", "null", "[1]"] {
            let bytes = Array(text.utf8)
            #expect(JSONParser.int64(bytes, range: 0..<bytes.count) == nil)
        }
    }

    @Test func locatingMembersFindsWhatTheLayoutHolds() throws {
        let texts = [
            #"{"task": "t", "a\u0062": [1, {"task": 2}], "task": "u", "é": null, "ab": 3}"#,
            #"  { "x" : {} , "y":"\"}" }"#,
            #"{}"#,
            #"{"k\"ey": 1, "k\\ey": 2}"#,
        ]
        let names = ["task", "ab", "é", "x", "y", "k\"ey", "k\\ey", "missing"]
        for text in texts {
            let bytes = Array(text.utf8)
            let layout = try JSONParser.parseObjectLayout(bytes)
            let found = try JSONParser.locateMembers(JSONMemberNames(names), in: bytes)
            for (position, name) in names.enumerated() {
                #expect(found[position] == layout.member(name)?.valueRange, "\(name) in \(text)")
            }
            #expect(found.closingBrace == layout.closingBrace)
            #expect(found.memberCount == layout.members.count)
        }
    }

    @Test func locatingInsideAMemberGivesRangesInTheWholeText() throws {
        let bytes = Array(#"{"outer": {"inner": [1, 2], "n": 5}, "z": 0}"#.utf8)
        let outer = try #require(try JSONParser.locateMembers(JSONMemberNames(["outer"]), in: bytes)[0])
        let found = try JSONParser.locateMembers(JSONMemberNames(["n", "inner"]), in: bytes, range: outer)
        #expect(found[0].map { String(decoding: bytes[$0], as: UTF8.self) } == "5")
        #expect(found[1].map { String(decoding: bytes[$0], as: UTF8.self) } == "[1, 2]")
        #expect(bytes[found.closingBrace] == UInt8(ascii: "}"))
        #expect(found.closingBrace == outer.upperBound - 1)
        #expect(try JSONParser.parse(bytes, range: found[1]!) == .array([.integer(1), .integer(2)]))
        #expect(JSONParser.string(bytes, range: found[0]!) == nil)
        let error = #expect(throws: JSONError.self) { try JSONParser.locateMembers(JSONMemberNames(["n"]), in: bytes, range: found[1]!) }
        #expect(error?.offset == found[1]!.lowerBound)
    }

    @Test func stringsFromTextAreDecodedAndChecked() {
        for (text, expected) in [(#""plain""#, "plain"), (#""\u00e9t\u00e9""#, "été"), (#""été""#, "été"), ("5", nil), ("null", nil)] {
            let bytes = Array("[\(text)]".utf8)
            #expect(JSONParser.string(bytes, range: 1..<bytes.count - 1) == expected, "\(text)")
        }
        #expect(JSONParser.string([0x22, 0xFF, 0x22], range: 0..<3) == nil)
    }

    @Test func keysAreCheckedAsStrictlyAsWhenTheyWereStrings() {
        for bytes in [[0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], Array(#"{"a\x": 1}"#.utf8), Array("{\"a\u{01}\": 1}".utf8)] {
            let strict = #expect(throws: JSONError.self) { try JSONParser.parseObjectLayout(bytes) }
            let located = #expect(throws: JSONError.self) { try JSONParser.locateMembers(JSONMemberNames(["a"]), in: bytes) }
            #expect(strict == located)
        }
    }
}
