/// Writes JSON text into a byte buffer.
///
/// `.python` matches Python's `json.dumps` defaults (`", "` and `": "` separators, `ensure_ascii`):
/// what kombu and celerybeat-redis write, so swiftbeat's output reads like theirs. The writer also
/// takes pieces (`beginObject`, `key`, ...) so hot paths can write envelopes without building trees.
public struct JSONWriter: Sendable {
    public enum Style: Sendable {
        /// Python's `json.dumps` defaults: spaced separators, non-ASCII escaped as `\uXXXX`.
        case python
        /// No spaces, UTF-8 written as is.
        case compact

        /// What comes between two values.
        var separator: [UInt8] { Array((self == .python ? ", " : ",").utf8) }
    }

    public private(set) var bytes: [UInt8]
    public let style: Style
    private var needsComma = false

    public init(style: Style = .python, reservingCapacity capacity: Int = 256) {
        self.style = style
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Serialises one value.
    public static func serialize(_ value: JSONValue, style: Style = .python) -> [UInt8] {
        var writer = JSONWriter(style: style)
        writer.value(value)
        return writer.bytes
    }

    public static func string(_ value: JSONValue, style: Style = .python) -> String {
        String(decoding: serialize(value, style: style), as: UTF8.self)
    }

    public mutating func value(_ value: JSONValue) {
        separate()
        switch value {
        case .null: appendLiteral("null")
        case .bool(let bool): appendLiteral(bool ? "true" : "false")
        case .number(let number): bytes.append(contentsOf: number.literal.utf8)
        case .string(let string): appendQuoted(string)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
        needsComma = true
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes an object key and the colon; the next call writes its value.
    public mutating func key(_ key: String) {
        if !appendPlainQuoted(key, colon: true) {
            separate()
            appendQuoted(key)
            bytes.append(UInt8(ascii: ":"))
            if style == .python { bytes.append(UInt8(ascii: " ")) }
        }
        needsComma = false
    }

    /// An object key with its quotes and colon, a whole member (key and value), or a fixed stretch
    /// of an envelope, written out once, with and without the separator before it: for what an
    /// encoder writes in every message, where quoting and checking each piece again cost more than
    /// copying its bytes.
    ///
    /// The bytes are copied once into memory that is never freed, and held without a reference
    /// count: prepared pieces are made once and kept for the life of the program (in `static let`s),
    /// and with arrays each write cost a retain and a release, about 60 of each per Redis message.
    /// Make them once: each one made keeps its few bytes for good.
    public struct Prepared: @unchecked Sendable {
        /// The separator, then the piece; `separatorLength` is 0 for a fragment, written as is.
        private let separated: UnsafeBufferPointer<UInt8>
        private let separatorLength: Int
        /// Whether a value closes it (a whole member, a fragment ending in a value), so that what
        /// comes next is separated from it; false for a key, whose value comes next.
        public let endsWithValue: Bool

        /// A key and its colon: the next call writes its value.
        public static func key(_ key: String, style: Style = .python) -> Prepared {
            var writer = JSONWriter(style: style)
            writer.key(key)
            return Prepared(writer.bytes, separator: style.separator, endsWithValue: false)
        }

        /// A member whose value is the same every time.
        public static func member(_ key: String, _ value: JSONValue, style: Style = .python) -> Prepared {
            var writer = JSONWriter(style: style)
            writer.key(key)
            writer.value(value)
            return Prepared(writer.bytes, separator: style.separator, endsWithValue: true)
        }

        /// `text` as it is, with no separator before it: a stretch of keys, separators and values
        /// the caller wrote out (the fixed frame of an envelope).
        public static func fragment(_ text: String, endsWithValue: Bool) -> Prepared {
            Prepared(Array(text.utf8), separator: [], endsWithValue: endsWithValue)
        }

        private init(_ bytes: [UInt8], separator: [UInt8], endsWithValue: Bool) {
            let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: separator.count + bytes.count)
            _ = storage.initialize(from: separator + bytes)
            separated = UnsafeBufferPointer(storage)
            separatorLength = separator.count
            self.endsWithValue = endsWithValue
        }

        fileprivate func bytes(separated: Bool) -> UnsafeBufferPointer<UInt8> {
            separated ? self.separated : UnsafeBufferPointer(rebasing: self.separated[separatorLength...])
        }
    }

    /// Writes a prepared key (the next call writes its value), member or fragment.
    public mutating func write(_ prepared: Prepared) {
        bytes.append(contentsOf: prepared.bytes(separated: needsComma))
        needsComma = prepared.endsWithValue
    }

    public mutating func string(_ string: String) {
        if !appendPlainQuoted(string, colon: false) {
            separate()
            appendQuoted(string)
        }
        needsComma = true
    }

    public mutating func integer(_ integer: Int64) {
        separate()
        Self.appendDecimal(integer, to: &bytes)
        needsComma = true
    }

    /// Decimal digits straight into `bytes`, with no `String` in between (envelopes write several
    /// per message, run states seven). One append per digit, most significant first: the numbers
    /// are short, and a scratch buffer copied in one go cost several times as much.
    public static func appendDecimal(_ integer: Int64, to bytes: inout [UInt8]) {
        if integer < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = integer.magnitude
        var divisor: UInt64 = 1
        while divisor <= magnitude / 10 { divisor *= 10 }
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        } while divisor != 0
    }

    public mutating func bool(_ bool: Bool) {
        value(.bool(bool))
    }

    public mutating func null() {
        value(.null)
    }

    /// Appends bytes that are already valid JSON for one value (for example a cached fragment).
    public mutating func rawValue(_ json: some Collection<UInt8>) {
        separate()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    /// Lets `write` append one value's JSON text to the buffer itself, so a value encoded by other
    /// means (a base64 body, a timestamp) needs no array of its own.
    public mutating func rawValue(writing write: (inout [UInt8]) -> Void) {
        separate()
        write(&bytes)
        needsComma = true
    }

    private mutating func appendLiteral(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private mutating func separate() {
        guard needsComma else { return }
        bytes.append(UInt8(ascii: ","))
        if style == .python { bytes.append(UInt8(ascii: " ")) }
        needsComma = false
    }

    /// The separator, `string` in quotes and, for a key, the colon, in one append, when `string`
    /// is short and needs no escape (every key and most values of a message); false otherwise,
    /// having written nothing. Appending piece by piece cost more than the bytes themselves.
    private mutating func appendPlainQuoted(_ string: String, colon: Bool) -> Bool {
        let spaced = style == .python
        let separator = needsComma
        let written = string.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard utf8.count <= 256, isPlain(utf8), let source = utf8.baseAddress else { return false }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: utf8.count + 6) { scratch in
                var count = 0
                func put(_ byte: UInt8) {
                    scratch[count] = byte
                    count += 1
                }
                if separator {
                    put(UInt8(ascii: ","))
                    if spaced { put(UInt8(ascii: " ")) }
                }
                put(UInt8(ascii: "\""))
                scratch.baseAddress!.advanced(by: count).update(from: source, count: utf8.count)
                count += utf8.count
                put(UInt8(ascii: "\""))
                if colon {
                    put(UInt8(ascii: ":"))
                    if spaced { put(UInt8(ascii: " ")) }
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<count]))
            }
            return true
        }
        return written ?? false
    }

    private mutating func appendQuoted(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        // Native and small strings lend their UTF-8 without a copy; only bridged ones need `withUTF8`.
        if string.utf8.withContiguousStorageIfAvailable({ utf8 in appendEscaped(utf8) }) == nil {
            var string = string
            string.withUTF8 { utf8 in appendEscaped(utf8) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Copies runs of bytes that need no escape in one go and escapes the rest. Python style
    /// escapes every non-ASCII scalar, decoded here from UTF-8 (a Swift string is valid UTF-8).
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var index = plainPrefixLength(utf8)
        let highestPlain: UInt8 = style == .compact ? 0xFF : 0x7E
        while index < utf8.count {
            let byte = utf8[index]
            let plain = byte >= 0x20 && byte <= highestPlain && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
            if plain {
                index += 1
                continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            if byte < 0x80 {
                appendEscaped(Unicode.Scalar(byte))
                index += 1
            } else {
                let (scalar, length) = Self.decodeScalar(utf8, at: index)
                appendEscaped(scalar)
                index += length
            }
            runStart = index
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
    }

    /// How many leading bytes need no escape, checked eight at a time: most strings in a message
    /// (keys, ids, task names) need none, and a byte-by-byte test cost more than the copy.
    private func plainPrefixLength(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = UnsafeRawPointer(utf8.baseAddress) else { return 0 }
        var index = 0
        while index + 8 <= utf8.count, isPlain(base.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
            index += 8
        }
        return index
    }

    /// Whether no byte of `utf8` needs an escape.
    private func isPlain(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = utf8.count
        guard count >= 8, let base = UnsafeRawPointer(utf8.baseAddress) else {
            // Padding with spaces, which need no escape, makes one word of a short string.
            var word: UInt64 = 0x2020_2020_2020_2020
            withUnsafeMutableBytes(of: &word) { $0.copyMemory(from: UnsafeRawBufferPointer(utf8)) }
            return isPlain(word)
        }
        // The last word may overlap the one before it.
        return plainPrefixLength(utf8) >= count - 8 && isPlain(base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    }

    /// Whether none of the eight bytes of `word` needs an escape in this style.
    private func isPlain(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        /// High bit set in each byte of `word` that is zero (exact for the lowest such byte).
        func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highBits }
        // Control characters are the bytes whose top three bits are all zero.
        var special = zeroBytes(word & 0xE0E0_E0E0_E0E0_E0E0)
        special |= zeroBytes(word ^ 0x2222_2222_2222_2222) | zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C)
        if style == .python { special |= word & highBits | zeroBytes(word ^ 0x7F7F_7F7F_7F7F_7F7F) }
        return special == 0
    }

    private static func decodeScalar(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int) {
        let lead = UInt32(utf8[index])
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = lead & (0xFF >> (length + 1))
        for offset in 1..<length where index + offset < utf8.count {
            value = value << 6 | UInt32(utf8[index + offset] & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// Escapes as Python's `ensure_ascii` does: only printable ASCII is written as is.
    private mutating func appendEscaped(_ scalar: Unicode.Scalar) {
        switch scalar {
        case "\"": bytes.append(contentsOf: [0x5C, 0x22])
        case "\\": bytes.append(contentsOf: [0x5C, 0x5C])
        case "\n": bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case "\r": bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case "\t": bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case "\u{08}": bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
        case "\u{0C}": bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
        case " "..."~": bytes.append(UInt8(scalar.value))
        default:
            if scalar.value > 0xFFFF {
                let offset = scalar.value - 0x10000
                appendUnicodeEscape(0xD800 + (offset >> 10))
                appendUnicodeEscape(0xDC00 + (offset & 0x3FF))
            } else {
                appendUnicodeEscape(scalar.value)
            }
        }
    }

    private mutating func appendUnicodeEscape(_ unit: UInt32) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        bytes.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(hex[Int((unit >> UInt32(shift)) & 0xF)])
        }
    }
}
