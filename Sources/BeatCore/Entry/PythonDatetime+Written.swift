public import CivilTime
import JSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The component form exactly as swiftbeat writes it, which is also how celerybeat-redis's
/// `DateTimeEncoder` writes it: `{"__type__": "datetime", "year": 2014, ..., "microsecond": 667}`.
/// Nearly every stored `last_run_at` has this form, so reading it is a comparison with the
/// template rather than a search for nine members.
extension PythonDatetime {
    /// What precedes each component, in order: year, month, day, hour, minute, second, microsecond.
    static let writtenPrefixes: [StaticString] = [
        #"{"__type__": "datetime", "year": "#, #", "month": "#, #", "day": "#, #", "hour": "#, #", "minute": "#,
        #", "second": "#, #", "microsecond": "#,
    ]

    /// `encode(instant)` as JSON text, written byte by byte: this runs once per firing.
    public static func encodedBytes(_ instant: Instant) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160)
        appendEncoded(instant, to: &bytes)
        return bytes
    }

    /// `encodedBytes(instant)` appended to `bytes`, with no array of its own.
    public static func appendEncoded(_ instant: Instant, to bytes: inout [UInt8]) {
        let wall = CivilDateTime(instant)
        func append(_ field: Int, _ value: Int) {
            let prefix = writtenPrefixes[field]
            bytes.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
            JSONWriter.appendDecimal(Int64(value), to: &bytes)
        }
        append(0, wall.year)
        append(1, wall.month)
        append(2, wall.day)
        append(3, wall.hour)
        append(4, wall.minute)
        append(5, wall.second)
        append(6, wall.microsecond)
        bytes.append(UInt8(ascii: "}"))
    }

    /// What `decode` gives for `text` when it has exactly the written form (nil inside: an
    /// invalid date); nil when it differs in any way (spacing, order, signs, other members), and
    /// the general reading decides.
    static func decodeWritten(_ text: UnsafeBufferPointer<UInt8>) -> Instant?? {
        var wall = CivilDateTime(year: 0, month: 0, day: 0)
        var position = 0
        for (field, prefix) in writtenPrefixes.enumerated() {
            let count = prefix.utf8CodeUnitCount
            guard position + count <= text.count, memcmp(text.baseAddress! + position, prefix.utf8Start, count) == 0 else { return nil }
            position += count
            // A non-negative integer literal: no sign, no leading zero, short enough not to overflow.
            let start = position
            var value = 0
            while position < text.count, position - start < 18, text[position] &- UInt8(ascii: "0") < 10 {
                value = value * 10 + Int(text[position] &- UInt8(ascii: "0"))
                position += 1
            }
            guard position > start, text[start] != UInt8(ascii: "0") || position == start + 1 else { return nil }
            switch field {
            case 0: wall.year = value
            case 1: wall.month = value
            case 2: wall.day = value
            case 3: wall.hour = value
            case 4: wall.minute = value
            case 5: wall.second = value
            default: wall.microsecond = value
            }
        }
        guard position == text.count - 1, text[position] == UInt8(ascii: "}") else { return nil }
        return .some(wall.isValid ? wall.instant(utcOffsetSeconds: 0) : nil)
    }
}
