/// Why a text is not JSON, and where.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Byte offset of the problem in the input.
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// A top-level JSON object with the byte range of each member's value in the source text,
/// so that a few members can be replaced in place while every other byte stays as it was.
public struct JSONObjectLayout: Sendable {
    public struct Member: Sendable {
        public var key: String
        public var value: JSONValue
        public var valueRange: Range<Int>
    }

    public var members: [Member]
    /// Offset of the closing `}`: where new members are inserted.
    public var closingBrace: Int

    public var object: JSONObject {
        JSONObject(members: members.map { JSONObject.Member(key: $0.key, value: $0.value) })
    }

    public func member(_ key: String) -> Member? {
        members.last { $0.key == key }
    }
}

/// A strict RFC 8259 parser (what Python's `json.loads` accepts, minus `NaN`/`Infinity`).
///
/// It works on raw bytes because entries arrive from Redis as bytes and the beat parses
/// 100,000 of them at start-up; nesting is capped so hostile data cannot exhaust the stack.
public enum JSONParser {
    public static let maximumDepth = 512

    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        try read(bytes) { reader throws(JSONError) in try reader.readValue(depth: 0) }
    }

    /// Parses a document that must be an object, keeping each member value's byte range.
    /// Members named in `skipping` are checked but not built: their `value` is `.null` and only their
    /// `valueRange` tells what they hold (for hot paths that need a few members of a large object).
    public static func parseObjectLayout(_ bytes: [UInt8], skipping: Set<String> = []) throws(JSONError) -> JSONObjectLayout {
        try read(bytes) { reader throws(JSONError) in try reader.readObjectLayout(skipping: skipping) }
    }

    /// Finds the values of the named top-level members of an object without building anything:
    /// one pass, no allocation beyond the keys, for hot paths that edit a couple of members in place.
    /// A name that occurs twice gives its last occurrence, as `json.loads` keeps the last.
    public static func locateMembers(
        _ names: [String], in bytes: [UInt8]
    ) throws(JSONError) -> (ranges: [Range<Int>?], closingBrace: Int, memberCount: Int) {
        let found = try locateMembers(JSONMemberNames(names), in: bytes)
        return (found.ranges, found.closingBrace, found.memberCount)
    }

    /// Runs `body` over the text in `range` of `bytes` (all of it when nil), which must hold one
    /// value and nothing else. Offsets the reader reports are relative to `range`, errors' are not.
    static func read<T>(
        _ bytes: [UInt8], in range: Range<Int>? = nil, _ body: (inout JSONReader) throws(JSONError) -> T
    ) throws(JSONError) -> T {
        let result: Result<T, JSONError> = bytes.withUnsafeBufferPointer { whole in
            let buffer = range.map { UnsafeBufferPointer(rebasing: whole[$0]) } ?? whole
            var reader = JSONReader(buffer)
            do throws(JSONError) {
                reader.skipWhitespace()
                let value = try body(&reader)
                reader.skipWhitespace()
                guard reader.index == buffer.count else {
                    throw reader.error("unexpected text after the JSON value")
                }
                return .success(value)
            } catch {
                return .failure(JSONError(offset: error.offset + (range?.lowerBound ?? 0), reason: error.reason))
            }
        }
        return try result.get()
    }
}

/// The cursor behind `JSONParser`; it never outlives the buffer it reads.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func error(_ reason: String) -> JSONError {
        JSONError(offset: index, reason: reason)
    }

    mutating func skipWhitespace() {
        // Most calls meet a token at once (or after the one space of `", "` and `": "`): every
        // whitespace byte is at most 0x20, so one comparison settles the common case.
        guard index < bytes.count, bytes[index] <= 0x20 else { return }
        var position = index
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default:
                index = position
                return
            }
        }
        index = position
    }

    mutating func readValue(depth: Int) throws(JSONError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object(try readObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try readArray(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            try scanNumber()
            let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            return .number(JSONNumber(validatedLiteral: literal))
        default:
            throw error("unexpected character \(describe(bytes[index])), expected a value")
        }
    }

    mutating func readObjectLayout(skipping: Set<String>) throws(JSONError) -> JSONObjectLayout {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            throw error("expected an object")
        }
        var members: [JSONObjectLayout.Member] = []
        let closing = try forEachMember(depth: 1) { key, reader throws(JSONError) in
            let start = reader.index
            let value: JSONValue
            if skipping.contains(key) {
                try reader.skipValue(depth: 1)
                value = .null
            } else {
                value = try reader.readValue(depth: 1)
            }
            members.append(JSONObjectLayout.Member(key: key, value: value, valueRange: start..<reader.index))
        }
        return JSONObjectLayout(members: members, closingBrace: closing)
    }

    private mutating func readObject(depth: Int) throws(JSONError) -> JSONObject {
        var members: [JSONObject.Member] = []
        _ = try forEachMember(depth: depth) { key, reader throws(JSONError) in
            members.append(JSONObject.Member(key: key, value: try reader.readValue(depth: depth)))
        }
        return JSONObject(members: members)
    }

    private mutating func readArray(depth: Int) throws(JSONError) -> [JSONValue] {
        var elements: [JSONValue] = []
        try forEachElement(depth: depth) { reader throws(JSONError) in
            elements.append(try reader.readValue(depth: depth))
        }
        return elements
    }

    /// `skipValue`, with strings and numbers (most values) skipped without a call: the call costs
    /// more than skipping a short value.
    @inline(__always)
    mutating func skipValueInline(depth: Int) throws(JSONError) {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        default: try skipValue(depth: depth)
        }
    }

    /// Advances over one value, checking its structure but building nothing.
    mutating func skipValue(depth: Int) throws(JSONError) {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            _ = try forEachMember(depth: depth + 1, key: { reader throws(JSONError) in try reader.skipString() }) {
                _, reader throws(JSONError) in try reader.skipValueInline(depth: depth + 1)
            }
        case UInt8(ascii: "["):
            try forEachElement(depth: depth + 1) { reader throws(JSONError) in try reader.skipValueInline(depth: depth + 1) }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectWord("true")
        case UInt8(ascii: "f"): try expectWord("false")
        case UInt8(ascii: "n"): try expectWord("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        default: throw error("unexpected character \(describe(bytes[index])), expected a value")
        }
    }

    /// Walks `{ "key": value, ... }` from its opening brace; `member` reads or skips each value.
    /// Returns the offset of the closing brace. The one place that knows an object's punctuation.
    private mutating func forEachMember(
        depth: Int, _ member: (String, inout JSONReader) throws(JSONError) -> Void
    ) throws(JSONError) -> Int {
        try forEachMember(depth: depth, key: { reader throws(JSONError) in try reader.readString() }, member)
    }

    /// The same, with each key read by `key` (to match or skip keys without building strings).
    /// Always inlined, so that the closures of the hot paths (skipping, locating) are too.
    @inline(__always)
    mutating func forEachMember<Key>(
        depth: Int, key readKey: (inout JSONReader) throws(JSONError) -> Key,
        _ member: (Key, inout JSONReader) throws(JSONError) -> Void
    ) throws(JSONError) -> Int {
        guard depth <= JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return index - 1
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a string key in an object")
            }
            let key = try readKey(&self)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after an object key")
            }
            index += 1
            skipWhitespace()
            try member(key, &self)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return index - 1
            } else {
                throw error("expected ',' or '}' in an object")
            }
        }
    }

    /// Walks `[ value, ... ]` from its opening bracket; `element` reads or skips each value.
    @inline(__always)
    private mutating func forEachElement(depth: Int, _ element: (inout JSONReader) throws(JSONError) -> Void) throws(JSONError) {
        guard depth <= JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            } else {
                throw error("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
            memcmpEqual(bytes.baseAddress! + index, word.utf8Start, count)
        else { throw error("invalid literal, expected \(word)") }
        index += count
    }

    /// Advances over a number, checking the JSON grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    mutating func scanNumber() throws(JSONError) {
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit in a number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit after '.'") }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit in an exponent") }
            skipDigits()
        }
    }

    private mutating func skipDigits() {
        var position = index
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        index = position
    }

    mutating func readString() throws(JSONError) -> String {
        let start = index + 1
        if let content = try readUnescapedString() {
            let slice = UnsafeBufferPointer(rebasing: bytes[content.range])
            if content.isASCII { return String(decoding: slice, as: UTF8.self) }
            guard let validated = String(validating: slice, as: UTF8.self) else {
                throw JSONError(offset: start, reason: "string is not valid UTF-8")
            }
            return validated
        }
        var decoded = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: decoded, as: UTF8.self) else {
                    throw JSONError(offset: start, reason: "string is not valid UTF-8")
                }
                index += 1
                return string
            case UInt8(ascii: "\\"):
                try readEscape(into: &decoded)
            case 0..<0x20:
                throw error("unescaped control character in a string")
            default:
                decoded.append(byte)
                index += 1
            }
        }
        throw error("unterminated string")
    }

    /// Advances over a string, checking it as `readString` does but building nothing (unless it
    /// holds escapes, which are rare in keys and entries).
    mutating func skipString() throws(JSONError) {
        let start = index
        guard let content = try readUnescapedString() else {
            index = start
            _ = try readString()
            return
        }
        if !content.isASCII, String(validating: UnsafeBufferPointer(rebasing: bytes[content.range]), as: UTF8.self) == nil {
            throw JSONError(offset: content.range.lowerBound, reason: "string is not valid UTF-8")
        }
    }

    /// The fast path of `readString`, from the opening quote: a string without escapes is its
    /// bytes. Returns the content's range and reads past the closing quote; returns nil at the
    /// first backslash (or the end of the input), leaving the index there. ASCII needs no
    /// validation, and skipping the generic validator matters: this runs for every key and string
    /// of every entry. Non-ASCII content is left for the caller to validate.
    mutating func readUnescapedString() throws(JSONError) -> (range: Range<Int>, isASCII: Bool)? {
        // Locals, so the loop runs in registers: this loop sees most bytes of every entry.
        let bytes = self.bytes
        let start = index + 1
        var position = start
        var union: UInt8 = 0
        // Eight bytes at a time up to the first that needs a look: a quote, a backslash, a control
        // character or a non-ASCII byte (the lowest flagged byte is always a real one).
        while position + 8 <= bytes.count {
            let word = UnsafeRawPointer(bytes.baseAddress! + position).loadUnaligned(as: UInt64.self)
            let special = Self.zeroBytes(word ^ 0x2222_2222_2222_2222) | Self.zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C)
                | ((word &- 0x2020_2020_2020_2020) | word) & 0x8080_8080_8080_8080
            if special != 0 {
                position += (special.littleEndian.trailingZeroBitCount) / 8
                break
            }
            position += 8
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                index = position + 1
                return (start..<position, union < 0x80)
            }
            if byte == UInt8(ascii: "\\") {
                index = position
                return nil
            }
            if byte < 0x20 {
                index = position
                throw error("unescaped control character in a string")
            }
            union |= byte
            position += 1
        }
        index = position
        return nil
    }

    /// The high bit of each byte of `word` that is zero (and maybe of bytes above it).
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    private mutating func readEscape(into decoded: inout [UInt8]) throws(JSONError) {
        index += 1
        guard index < bytes.count else { throw error("unterminated escape") }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if (0xD800...0xDBFF).contains(scalar), index + 1 < bytes.count,
                bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            {
                let save = index
                index += 2
                let low = try readHex4()
                if (0xDC00...0xDFFF).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    index = save
                }
            }
            // A lone surrogate cannot live in a Swift string; it becomes U+FFFD, as a lenient decoder would.
            let unicode = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            decoded.append(contentsOf: String(unicode).utf8)
        default:
            throw JSONError(offset: index - 1, reason: "invalid escape \\\(describe(escape))")
        }
    }

    private mutating func readHex4() throws(JSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("expected four hex digits after \\u") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("expected four hex digits after \\u")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }
}

/// Whether the `count` bytes at `lhs` and `rhs` are the same.
func memcmpEqual(_ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    for offset in 0..<count where lhs[offset] != rhs[offset] {
        return false
    }
    return true
}
