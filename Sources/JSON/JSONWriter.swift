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
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let bool): bytes.append(contentsOf: (bool ? "true" : "false").utf8)
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
        separate()
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
        if style == .python { bytes.append(UInt8(ascii: " ")) }
        needsComma = false
    }

    public mutating func string(_ string: String) {
        separate()
        appendQuoted(string)
        needsComma = true
    }

    public mutating func integer(_ integer: Int64) {
        separate()
        bytes.append(contentsOf: String(integer).utf8)
        needsComma = true
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

    private mutating func separate() {
        guard needsComma else { return }
        bytes.append(UInt8(ascii: ","))
        if style == .python { bytes.append(UInt8(ascii: " ")) }
        needsComma = false
    }

    private mutating func appendQuoted(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in appendEscaped(utf8) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Copies runs of bytes that need no escape in one go and escapes the rest. Python style
    /// escapes every non-ASCII scalar, decoded here from UTF-8 (a Swift string is valid UTF-8).
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            let plain = byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
                && (style == .compact || byte < 0x7F)
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
