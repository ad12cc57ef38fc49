/// A JSON document as swiftbeat reads and writes it.
///
/// Numbers keep their literal text (`JSONNumber`) so that task arguments travel unchanged:
/// an integer beyond 64 bits or a float such as `0.1` reaches the Python worker exactly as the
/// user wrote it, where a round trip through `Double` would not. Objects keep their member
/// order, because entries written back to Redis should still read as the user wrote them.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public static func integer(_ value: Int64) -> JSONValue {
        .number(JSONNumber(value))
    }

    public static func integer(_ value: Int) -> JSONValue {
        .number(JSONNumber(Int64(value)))
    }

    public static func double(_ value: Double) -> JSONValue {
        .number(JSONNumber(value))
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    public var numberValue: JSONNumber? {
        if case .number(let number) = self { return number }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The type name of the JSON text `value`, judged from its text without parsing it.
    public static func typeName(ofText value: ArraySlice<UInt8>) -> String {
        switch value.first {
        case UInt8(ascii: "{"): "an object"
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        default:
            value.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
                ? "a number" : "an integer"
        }
    }

    /// The JSON type's name, for error messages ("expected an object, found a string").
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let number): number.isInteger ? "an integer" : "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON number, stored as its literal text.
public struct JSONNumber: Equatable, Sendable, CustomStringConvertible {
    /// The number exactly as it appears in JSON text.
    public let literal: String

    public init(_ value: Int64) {
        literal = String(value)
    }

    /// A float written the way Python's `json.dumps` writes it (shortest round-trip form, `.0` kept).
    public init(_ value: Double) {
        precondition(value.isFinite, "JSON has no representation for \(value)")
        literal = value.description
    }

    /// Validates `literal` against the JSON number grammar.
    public init?(literal: String) {
        let bytes = Array(literal.utf8)
        let valid = bytes.withUnsafeBufferPointer { buffer -> Bool in
            var reader = JSONReader(buffer)
            guard (try? reader.scanNumber()) != nil else { return false }
            return reader.index == buffer.count
        }
        guard valid else { return nil }
        self.literal = literal
    }

    init(validatedLiteral: String) {
        literal = validatedLiteral
    }

    /// True when the literal has no fraction and no exponent, as Python's `int` would parse it.
    public var isInteger: Bool {
        !literal.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }

    /// The value as an `Int64`, when it is an integer literal that fits.
    public var int64Value: Int64? {
        var literal = literal
        return literal.withUTF8 { Self.int64(literal: $0) }
    }

    /// What `Int64(text)` gives for an integer literal (no fraction, no exponent), read from its
    /// bytes: the decoder reads counts and date components this way without building strings.
    static func int64(literal: UnsafeBufferPointer<UInt8>) -> Int64? {
        var digits = literal[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        // Accumulated negatively, so that Int64.min fits.
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, underflow) = shifted.subtractingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow, !underflow else { return nil }
            value = next
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// The value as a `Double` (approximate for integers beyond 2^53).
    public var doubleValue: Double {
        Double(literal) ?? .nan
    }

    public var description: String { literal }

    /// Numbers are equal when they are the same kind (integer or float) and the same value,
    /// so `1` and `1.0` differ (Python sees `int` and `float`) while `1.0` and `1.00` do not.
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        guard lhs.isInteger == rhs.isInteger else { return false }
        if lhs.isInteger, let l = lhs.int64Value, let r = rhs.int64Value { return l == r }
        if lhs.isInteger { return lhs.literal == rhs.literal }
        return lhs.doubleValue == rhs.doubleValue
    }
}
