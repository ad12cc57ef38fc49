import JSON

/// Scalars: plain, quoted and block, and how plain ones resolve to JSON (YAML 1.2 core schema).
extension YAMLReader {
    // MARK: Plain scalars

    /// A plain scalar, folded over continuation lines indented at least `continuationIndent`
    /// (`Int.max`: one line only). Stops before `: ` (reported, since it may end a key), before a
    /// comment, at the line end, and in flow context before `,[]{}`.
    mutating func readPlain(continuationIndent: Int, flow: Bool) throws(YAMLError) -> (text: String, stoppedAtColon: Bool) {
        var text: [UInt8] = []
        var stoppedAtColon = false
        while true {
            let segmentStart = position
            var segmentEnd = position
            while let byte = byte(), !isBreak(byte) {
                if byte == UInt8(ascii: ":"),
                    isBlankOrEnd(at: position + 1) || (flow && isFlowIndicator(self.byte(at: position + 1)))
                {
                    stoppedAtColon = true
                    break
                }
                if byte == UInt8(ascii: "#"), position > lineStart, isBlank(bytes[position - 1]) { break }
                if flow && isFlowIndicator(byte) { break }
                position += 1
                if !isBlank(byte) { segmentEnd = position }
            }
            text.append(contentsOf: bytes[segmentStart..<segmentEnd])
            guard !stoppedAtColon, !isAtEnd, isLineEnd(), continuationIndent != .max else { break }

            // At a line break: does the scalar go on, on a later line?
            let saved = (position, line, lineStart)
            consumeBreak()
            var emptyLines = 0
            var indent = 0
            while true {
                indent = 0
                while byte(at: position + indent) == 0x20 { indent += 1 }
                var next = position + indent
                while let byte = byte(at: next), isBlank(byte) { next += 1 }
                guard let byte = byte(at: next), isBreak(byte) else {
                    position = next
                    break
                }
                position = next
                emptyLines += 1
                consumeBreak()
            }
            let continues: Bool
            if let byte = byte() {
                let startsMarker = indent == 0 && (isDocumentMarker("---") || isDocumentMarker("..."))
                let endsFlow = flow && (isFlowIndicator(byte) || byte == UInt8(ascii: ":"))
                continues = indent >= continuationIndent && byte != UInt8(ascii: "#") && !startsMarker && !endsFlow
            } else {
                continues = false
            }
            guard continues else {
                (position, line, lineStart) = saved
                break
            }
            if emptyLines == 0 {
                text.append(0x20)
            } else {
                text.append(contentsOf: repeatElement(0x0A, count: emptyLines))
            }
        }
        return (String(decoding: text, as: UTF8.self), stoppedAtColon)
    }

    func isFlowIndicator(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte == UInt8(ascii: ",") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
            || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}")
    }

    // MARK: Quoted scalars

    /// `'...'`: `''` is one quote, nothing else is escaped; line breaks fold as in plain scalars.
    mutating func readSingleQuoted() throws(YAMLError) -> String {
        let openedOn = line
        position += 1
        var text: [UInt8] = []
        while true {
            guard let byte = byte() else {
                throw YAMLError(line: openedOn, reason: "the quoted value that starts here is not closed with '")
            }
            if byte == UInt8(ascii: "'") {
                if self.byte(at: position + 1) == UInt8(ascii: "'") {
                    text.append(byte)
                    position += 2
                    continue
                }
                position += 1
                return String(decoding: text, as: UTF8.self)
            }
            if isBreak(byte) {
                while let last = text.last, isBlank(last) { text.removeLast() }
                try foldQuotedBreak(into: &text)
                continue
            }
            text.append(byte)
            position += 1
        }
    }

    /// `"..."` with YAML's escapes (`\n`, `\t`, `\"`, `\\`, `\/`, `\xXX`, `\uXXXX`, `\UXXXXXXXX`,
    /// `\0 \a \b \e \f \r \v \N \_ \L \P`, an escaped space or tab, and `\` before a line break).
    mutating func readDoubleQuoted() throws(YAMLError) -> String {
        let openedOn = line
        position += 1
        var text: [UInt8] = []
        // Blanks written as is just before a line break are dropped; escaped ones are kept.
        var trimmableFrom: Int?
        while true {
            guard let byte = byte() else {
                throw YAMLError(line: openedOn, reason: "the quoted value that starts here is not closed with \"")
            }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard let escape = self.byte() else { continue }
                if isBreak(escape) {
                    // An escaped line break joins the lines with nothing between them.
                    consumeBreak()
                    while let next = self.byte(), isBlank(next) { position += 1 }
                    trimmableFrom = nil
                    continue
                }
                position += 1
                try appendEscape(escape, to: &text)
                trimmableFrom = nil
            case 0x0A, 0x0D:
                if let trimmableFrom { text.removeSubrange(trimmableFrom...) }
                trimmableFrom = nil
                try foldQuotedBreak(into: &text)
            default:
                if isBlank(byte) {
                    if trimmableFrom == nil { trimmableFrom = text.count }
                } else {
                    trimmableFrom = nil
                }
                text.append(byte)
                position += 1
            }
        }
    }

    /// A line break inside a quoted scalar: one break becomes a space, n empty lines become n breaks.
    private mutating func foldQuotedBreak(into text: inout [UInt8]) throws(YAMLError) {
        consumeBreak()
        var emptyLines = 0
        while true {
            while let byte = byte(), isBlank(byte) { position += 1 }
            guard let byte = byte(), isBreak(byte) else { break }
            emptyLines += 1
            consumeBreak()
        }
        if column == 0, isDocumentMarker("---") || isDocumentMarker("...") {
            throw fail("a document marker inside a quoted value; is a closing quote missing?")
        }
        if emptyLines == 0 {
            text.append(0x20)
        } else {
            text.append(contentsOf: repeatElement(0x0A, count: emptyLines))
        }
    }

    private mutating func appendEscape(_ escape: UInt8, to text: inout [UInt8]) throws(YAMLError) {
        let simple: [UInt8: UInt32] = [
            UInt8(ascii: "0"): 0, UInt8(ascii: "a"): 7, UInt8(ascii: "b"): 8, UInt8(ascii: "t"): 9, 0x09: 9,
            UInt8(ascii: "n"): 10, UInt8(ascii: "v"): 11, UInt8(ascii: "f"): 12, UInt8(ascii: "r"): 13,
            UInt8(ascii: "e"): 27, UInt8(ascii: " "): 32, UInt8(ascii: "\""): 34, UInt8(ascii: "/"): 47,
            UInt8(ascii: "\\"): 92, UInt8(ascii: "N"): 0x85, UInt8(ascii: "_"): 0xA0, UInt8(ascii: "L"): 0x2028,
            UInt8(ascii: "P"): 0x2029,
        ]
        var value: UInt32
        if let known = simple[escape] {
            value = known
        } else {
            let digits: Int
            switch escape {
            case UInt8(ascii: "x"): digits = 2
            case UInt8(ascii: "u"): digits = 4
            case UInt8(ascii: "U"): digits = 8
            default:
                throw fail("unknown escape \"\\\(Character(Unicode.Scalar(escape)))\" in a double-quoted value")
            }
            value = try readHex(digits)
            if (0xD800...0xDBFF).contains(value) {
                // JSON-style surrogate pairs, as people paste them from JSON.
                guard byte() == UInt8(ascii: "\\"), byte(at: position + 1) == UInt8(ascii: "u") else {
                    throw fail("\\u\(String(value, radix: 16)) is half of a surrogate pair")
                }
                position += 2
                let low = try readHex(4)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw fail("\\u\(String(value, radix: 16)) is not followed by the second half of a surrogate pair")
                }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            }
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw fail("the escape gives \(value), which is not a Unicode character")
        }
        text.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private mutating func readHex(_ digits: Int) throws(YAMLError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let byte = byte(), let digit = Self.hexValue(byte) else {
                throw fail("an escape needs \(digits) hexadecimal digits")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: Block scalars

    /// `|` (literal: line breaks kept) or `>` (folded: single breaks become spaces), with an optional
    /// chomping indicator (`-` drops the final line break, `+` keeps trailing empty lines) and an
    /// optional indentation indicator (1-9, relative to the parent's indentation).
    mutating func readBlockScalar(parentIndent: Int) throws(YAMLError) -> String {
        let literal = bytes[position] == UInt8(ascii: "|")
        position += 1
        enum Chomping { case clip, strip, keep }
        var chomping = Chomping.clip
        var explicitIndent: Int?
        for _ in 0..<2 {
            guard let byte = byte() else { break }
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                chomping = byte == UInt8(ascii: "-") ? .strip : .keep
                position += 1
            } else if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(byte) {
                explicitIndent = Int(byte - UInt8(ascii: "0"))
                position += 1
            }
        }
        if let byte = byte(), !isBlank(byte), !isBreak(byte) {
            throw fail("a block scalar header is \"|\" or \">\", then \"-\" or \"+\" and a digit at most")
        }
        try expectLineEnd(after: "the block scalar header")

        let parent = max(parentIndent, 0)
        var contentIndent: Int
        if let explicitIndent {
            contentIndent = parent + explicitIndent
        } else {
            // The first line with content sets the indentation.
            var index = position
            contentIndent = 0
            while index < bytes.count {
                var spaces = 0
                while index + spaces < bytes.count, bytes[index + spaces] == 0x20 { spaces += 1 }
                let next = index + spaces
                if next < bytes.count, !isBreak(bytes[next]) {
                    contentIndent = spaces
                    break
                }
                index = next
                if index < bytes.count, bytes[index] == 0x0D { index += 1 }
                if index < bytes.count, bytes[index] == 0x0A { index += 1 }
            }
            if contentIndent <= parentIndent { contentIndent = .max }  // an empty block scalar
        }

        // nil is an empty line.
        var lines: [[UInt8]?] = []
        var endsWithBreak = true
        while !isAtEnd {
            var spaces = 0
            while byte(at: position + spaces) == 0x20 { spaces += 1 }
            let afterSpaces = position + spaces
            if afterSpaces >= bytes.count || isBreak(bytes[afterSpaces]) {
                position = afterSpaces
                lines.append(nil)
                if isAtEnd { break }
                consumeBreak()
                continue
            }
            guard spaces >= contentIndent else { break }
            let start = position + contentIndent
            position = start
            skipToLineEnd()
            lines.append(Array(bytes[start..<position]))
            endsWithBreak = !isAtEnd
            if !isAtEnd { consumeBreak() }
        }
        // Whitespace-only lines at the very end belong to the chomping, not the content.
        var trailingEmpty = 0
        while let last = lines.last, last == nil {
            lines.removeLast()
            trailingEmpty += 1
        }

        var body: [UInt8] = []
        if literal {
            for (index, line) in lines.enumerated() {
                if index > 0 { body.append(0x0A) }
                body.append(contentsOf: line ?? [])
            }
        } else {
            var emptyRun = 0
            var isFirst = true
            var previousMoreIndented = false
            for line in lines {
                guard let line else {
                    emptyRun += 1
                    continue
                }
                let moreIndented = line.first.map(isBlank) ?? false
                if isFirst {
                    body.append(contentsOf: repeatElement(0x0A, count: emptyRun))
                } else if moreIndented || previousMoreIndented {
                    body.append(contentsOf: repeatElement(0x0A, count: emptyRun + 1))
                } else if emptyRun == 0 {
                    body.append(0x20)
                } else {
                    body.append(contentsOf: repeatElement(0x0A, count: emptyRun))
                }
                body.append(contentsOf: line)
                isFirst = false
                previousMoreIndented = moreIndented
                emptyRun = 0
            }
        }
        switch chomping {
        case .strip:
            break
        case .clip:
            if !lines.isEmpty && endsWithBreak { body.append(0x0A) }
        case .keep:
            if !lines.isEmpty && endsWithBreak { body.append(0x0A) }
            body.append(contentsOf: repeatElement(0x0A, count: trailingEmpty))
        }
        return String(decoding: body, as: UTF8.self)
    }

    // MARK: Resolving plain scalars (YAML 1.2 core schema)

    func resolve(_ text: String) throws(YAMLError) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN":
            throw fail("\(text) is infinity or NaN, which JSON cannot hold; quote it if you meant the text")
        default:
            break
        }
        let literal: String?
        do {
            literal = try Self.number(text)
        } catch {
            throw fail(error.reason)
        }
        guard let number = literal else { return .string(text) }
        guard let value = JSONNumber(literal: number) else { return .string(text) }
        return .number(value)
    }

    /// The JSON literal of a core-schema number (`07` is `7`, `+1.` is `1.0`, `0x1F` is `31`),
    /// or nil when `text` is not one.
    static func number(_ text: String) throws(YAMLError) -> String? {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "o") {
            let radix: UInt64 = bytes[1] == UInt8(ascii: "x") ? 16 : 8
            var value: UInt64 = 0
            for byte in bytes[2...] {
                guard let digit = hexValue(byte), UInt64(digit) < radix else { return nil }
                let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
                guard !overflow, shifted <= UInt64(Int64.max) - UInt64(digit) else {
                    throw YAMLError(line: 0, reason: "\(text) is too large")
                }
                value = shifted + UInt64(digit)
            }
            return String(value)
        }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            bytes.removeFirst()
        }
        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        var index = 0
        var integerPart: [UInt8] = []
        while index < bytes.count, isDigit(bytes[index]) {
            integerPart.append(bytes[index])
            index += 1
        }
        var fraction: [UInt8]?
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits: [UInt8] = []
            while index < bytes.count, isDigit(bytes[index]) {
                digits.append(bytes[index])
                index += 1
            }
            fraction = digits
        }
        guard !integerPart.isEmpty || !(fraction ?? []).isEmpty else { return nil }
        var exponent: [UInt8]?
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            var digits: [UInt8] = [bytes[index]]
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                digits.append(bytes[index])
                index += 1
            }
            let first = digits.count
            while index < bytes.count, isDigit(bytes[index]) {
                digits.append(bytes[index])
                index += 1
            }
            guard digits.count > first else { return nil }
            exponent = digits
        }
        guard index == bytes.count else { return nil }

        while integerPart.count > 1, integerPart[0] == UInt8(ascii: "0") { integerPart.removeFirst() }
        if integerPart.isEmpty { integerPart = [UInt8(ascii: "0")] }
        var literal = integerPart
        if let fraction {
            literal.append(UInt8(ascii: "."))
            literal.append(contentsOf: fraction.isEmpty ? [UInt8(ascii: "0")] : fraction)
        }
        if let exponent { literal.append(contentsOf: exponent) }
        let isZeroInteger = fraction == nil && exponent == nil && integerPart == [UInt8(ascii: "0")]
        if negative && !isZeroInteger { literal.insert(UInt8(ascii: "-"), at: 0) }
        return String(decoding: literal, as: UTF8.self)
    }
}
