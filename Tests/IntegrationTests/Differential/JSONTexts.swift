import PropertyBased

/// Generated JSON texts, valid ones written in every way the grammar allows, and their mutations
/// into the invalid (or merely unusual) texts a hostile or careless writer produces.
extension DifferentialRun {
    /// A valid text, then, half the time, one mutation.
    mutating func jsonText() -> [UInt8] {
        var text = Array(jsonValue(depth: 0).utf8)
        if chance(0.5) { text = mutated(text) }
        return text
    }

    mutating func jsonValue(depth: Int) -> String {
        let kind = depth > 3 ? int(0...4) : int(0...6)
        switch kind {
        case 0: return pick(["null", "true", "false"])
        case 1, 2: return jsonNumber()
        case 3, 4: return jsonString()
        case 5:
            let items = (0..<int(0...4)).map { _ in jsonValue(depth: depth + 1) }
            return "[" + space() + items.joined(separator: space() + "," + space()) + space() + "]"
        default:
            var keys = (0..<int(0...4)).map { _ in jsonString() }
            // Duplicate keys: Python keeps the last value at the first key's place.
            if !keys.isEmpty, chance(0.15) { keys.append(pick(keys)) }
            let members = keys.map { $0 + space() + ":" + space() + jsonValue(depth: depth + 1) }
            return "{" + space() + members.joined(separator: "," + space()) + space() + "}"
        }
    }

    /// Integers of any size (beyond 64 bits too), floats with fractions and exponents, and the
    /// extremes: `-0`, values that overflow a double (`1e400`) or underflow it (`1e-400`).
    mutating func jsonNumber() -> String {
        func digits(_ count: Int) -> String {
            String(int(1...9)) + String((1..<count).map { _ in Character(String(int(0...9))) })
        }
        let sign = chance(0.3) ? "-" : ""
        switch int(0...9) {
        case 0: return sign + "0"
        case 1, 2: return sign + digits(int(1...6))
        case 3: return sign + digits(int(18...21))  // around Int64.max and UInt64.max
        case 4: return sign + digits(int(22...60))
        case 5: return sign + digits(int(1...4)) + "." + String(digits(int(1...20)).reversed())
        case 6: return sign + pick(["0", digits(int(1...3))]) + pick(["e", "E"]) + pick(["", "+", "-"]) + String(int(0...400))
        case 7: return sign + pick(["1e400", "1e-400", "4.9e-324", "1.7976931348623157e308", "1.7976931348623159e308", "0.1", "0.0"])
        case 8: return "\(draw(Gen.double(in: -1e6...1e6)))"
        default: return sign + "0." + String(digits(int(1...25)).reversed()) + "e" + String(int(-30...30))
        }
    }

    /// A string with plain characters (any plane), every escape, `\u` escapes of BMP characters
    /// and of surrogate pairs.
    mutating func jsonString() -> String {
        var text = "\""
        for _ in 0..<int(0...8) {
            switch int(0...9) {
            case 0...3: text += String(String(draw(Gen.unicodeScalar(in: " "..."~"))).filter { $0 != "\"" && $0 != "\\" })
            case 4: text += String(Character(draw(Gen.unicodeScalar(in: "\u{A0}"..."\u{D7FF}"))))
            case 5: text += String(Character(draw(Gen.unicodeScalar(in: "\u{10000}"..."\u{10FFFF}"))))
            case 6: text += pick(["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"])
            case 7: text += "\\u" + hex4(UInt32(int(0...0xD7FF)))
            case 8:
                let scalar = UInt32(int(0x10000...0x10FFFF)) - 0x10000
                text += "\\u" + hex4(0xD800 + (scalar >> 10)) + "\\u" + hex4(0xDC00 + (scalar & 0x3FF))
            default: text += pick(["\u{FEFF}", "\u{2028}", "\u{FFFD}", "é", "😀"])
            }
        }
        return text + "\""
    }

    mutating func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: chance(0.5))
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// JSON's whitespace, mostly none.
    mutating func space() -> String {
        chance(0.7) ? "" : String((0..<int(1...3)).map { _ in pick([" ", "\n", "\r", "\t"]) })
    }

    /// One mutation: truncation, bad escapes, lone surrogates, deep nesting, NaN/Infinity, trailing
    /// commas, a BOM, raw control characters, bytes that are not UTF-8, and Python-isms.
    mutating func mutated(_ text: [UInt8]) -> [UInt8] {
        let at = int(0...text.count)
        func inserted(_ bytes: [UInt8]) -> [UInt8] { Array(text[..<at]) + bytes + Array(text[at...]) }
        func wrappedAsString(_ inner: String) -> [UInt8] { Array("[\"a\(inner)b\"]".utf8) }
        switch int(0...17) {
        case 0: return Array(text[..<at])
        case 1: return wrappedAsString(pick(["\\x41", "\\u12G4", "\\u12", "\\U0041", "\\a", "\\0", "\\'", "\\"]))
        case 2: return wrappedAsString(pick(["\\uD800", "\\uDC00", "\\uDBFF\\u0041", "\\uD800\\uD800", "\\uDFFF\\uD800"]))
        case 3:
            let depth = pick([int(2...100), int(500...515), int(516...700), int(900...1100)])
            let inner = chance(0.5) ? "1" : ""
            let open = (0..<depth).map { _ in chance(0.5) ? "[" : "{\"k\":" }
            return Array((open.joined() + inner + open.reversed().map { $0 == "[" ? "]" : "}" }.joined()).utf8)
                .replacingEmptyContainers()
        case 4: return Array("[\(pick(["NaN", "Infinity", "-Infinity", "nan", "inf", "-NaN"]))]".utf8)
        case 5: return Array("{\"a\":\(pick(["NaN", "Infinity", "-Infinity"]))}".utf8)
        case 6: return Array(pick(["[1,]", "[1,2,,3]", "{\"a\":1,}", "[,]", "{,}", "{\"a\" 1}", "{\"a\":}", "{1:2}"]).utf8)
        case 7: return [0xEF, 0xBB, 0xBF] + text
        case 8: return wrappedAsString(String(UnicodeScalar(UInt8(int(0...0x1F)))))
        case 9: return inserted([UInt8(int(0...0x1F))])
        case 10: return Array("[\"".utf8) + pick([[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80], [0xF4, 0x90, 0x80, 0x80]]) + Array("\"]".utf8)
        case 11: return Array(pick(["01", "-01", "+1", ".5", "1.", "1.e5", "1e", "1e+", "-", "0x1F", "1_000", "--1", "00"]).utf8)
        case 12: return Array(pick(["'a'", "['a']", "{'a': 1}", "True", "None", "[1 2]", "\"a\" \"b\"", "[1] x", ""]).utf8)
        case 13: return text + Array(pick([" ", "\n", "\u{A0}", "\u{2028}", "\u{0B}", "\u{0C}", "//c", ",", "]"]).utf8)
        case 14: return Array(pick(["\u{A0}", "\u{0C}", "\u{0B}", "\u{85}"]).utf8) + text
        case 15: return inserted(Array(pick(["\"", "\\", "[", "{", "}", "]", ":", ","]).utf8))
        case 16: return text.isEmpty ? text : Array(text[..<at]) + Array(text[min(at + 1, text.count)...])
        default: return Array("[\(jsonNumber())\(pick(["", "0", "e", ".", "-", "e-", "E+1"]))]".utf8)
        }
    }
}

extension Array where Element == UInt8 {
    /// `{"k":}` is what a nesting cut at an object member leaves; give it a value.
    fileprivate func replacingEmptyContainers() -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count + 8)
        for (index, byte) in enumerated() {
            result.append(byte)
            if byte == UInt8(ascii: ":"), index + 1 < count, self[index + 1] == UInt8(ascii: "}") { result.append(UInt8(ascii: "0")) }
        }
        return result
    }
}
