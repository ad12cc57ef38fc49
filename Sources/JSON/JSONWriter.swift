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
        if style == .python {
            for scalar in string.unicodeScalars {
                appendEscaped(scalar)
            }
        } else {
            for byte in string.utf8 {
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    appendEscaped(Unicode.Scalar(byte))
                } else {
                    bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
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
