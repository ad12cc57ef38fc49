/// A value in an AMQP field table (message headers, queue arguments, client properties).
///
/// Only the types that py-amqp 5.x (what Celery workers decode with) reads back as what was meant:
/// every other tag either decodes to something else there (`s` is a short string to py-amqp but an
/// int16 to RabbitMQ, `l` is read as unsigned, `x` becomes `bytes`) or raises `FrameSyntaxError`,
/// which puts a worker into a crash loop. See shared/research/celery-protocol.md §2.4.
///
/// Not `indirect`: the nested cases already live in arrays, and an indirect enum puts every value
/// (each of a Celery message's 21 headers) in a heap box of its own, allocated and freed per
/// message; that was about a tenth of the publisher's CPU.
public enum AMQPFieldValue: Sendable, Equatable {
    /// Tag `S`, a long string (UTF-8). Use it for every string.
    case string(String)
    /// Tag `t`.
    case bool(Bool)
    /// Tag `I`, signed 32 bits: what Python sends for an `int` that fits.
    case int32(Int32)
    /// Tag `L`, signed 64 bits as py-amqp reads it.
    ///
    /// The AMQP 0-9-1 errata (and librabbitmq's `AMQP_FIELD_KIND_I64`) write a signed 64-bit integer
    /// as `l`, but py-amqp 5.1–5.3 decodes `l` as *unsigned* (a negative value arrives as a huge
    /// positive one) and `L` as signed. librabbitmq writes `L` for `AMQP_FIELD_KIND_U64`, so the
    /// encoder stores an `Int64` through that kind with the same bit pattern: the bytes are the
    /// two's complement value a Python producer sends for `int` beyond 32 bits.
    case int64(Int64)
    /// Tag `d`, IEEE 754 double.
    case double(Double)
    /// Tag `V`: Python's `None`, JSON's `null`.
    case null
    /// Tag `A`, a list of values.
    case array([AMQPFieldValue])
    /// Tag `F`, a nested table.
    case table(AMQPFieldTable)

    /// An integer with the tag Python's py-amqp would pick: `I` when it fits in 32 bits, `L` when not.
    public static func integer(_ value: Int) -> AMQPFieldValue {
        if let small = Int32(exactly: value) { return .int32(small) }
        return .int64(Int64(value))
    }
}

extension AMQPFieldValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: AMQPFieldValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, AMQPFieldValue)...) {
        self = .table(AMQPFieldTable(elements.map { AMQPFieldTable.Entry(key: $0.0, value: $0.1) }))
    }
}

/// An AMQP field table: keys in the order they were added (the order they go on the wire).
///
/// Keys are short strings on the wire, so at most 255 UTF-8 bytes; the encoder rejects longer ones
/// rather than let librabbitmq truncate the length byte.
public struct AMQPFieldTable: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: AMQPFieldValue

        public init(key: String, value: AMQPFieldValue) {
            self.key = key
            self.value = value
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The value of the first entry with this key; setting replaces it in place, or appends.
    /// Setting `nil` removes every entry with the key.
    public subscript(key: String) -> AMQPFieldValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            guard let newValue else {
                entries.removeAll { $0.key == key }
                return
            }
            if let index = entries.firstIndex(where: { $0.key == key }) {
                entries[index].value = newValue
            } else {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }
}

extension AMQPFieldTable: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, AMQPFieldValue)...) {
        self.init(elements.map { Entry(key: $0.0, value: $0.1) })
    }
}
