public import CivilTime
public import JSON

/// `last_run_at` in the encodings found in celerybeat-redis data.
///
/// celerybeat-redis writes a naive datetime as its components
/// (`{"__type__": "datetime", "year": 2014, ..., "microsecond": 667}`), in UTC with Celery's
/// default `enable_utc`; kombu 5.3+ writes `{"__type__": "datetime", "__value__": ISO}`; hand-made
/// entries often hold a plain ISO 8601 string. All three are read; naive values are UTC.
/// swiftbeat writes the component form, so celerybeat-redis can still read what it wrote.
public enum PythonDatetime {
    public static func decode(_ value: JSONValue) -> Instant? {
        let text = JSONWriter.serialize(value)
        return decode(json: text, range: 0..<text.count)
    }

    /// The same, from the JSON text in `range` of `bytes` (already checked to be JSON), building no
    /// tree: loading reads the `last_run_at` of every entry this way.
    public static func decode(json bytes: [UInt8], range: Range<Int>) -> Instant? {
        switch range.first.map({ bytes[$0] }) {
        case UInt8(ascii: "\"")?:
            return JSONParser.string(bytes, range: range).flatMap { try? ISO8601.parse($0) }?.instantAssumingUTC
        case UInt8(ascii: "{")?:
            if let written = bytes.withUnsafeBufferPointer({ decodeWritten(UnsafeBufferPointer(rebasing: $0[range])) }) {
                return written
            }
            guard let found = try? JSONParser.locateMembers(componentNames, in: bytes, range: range),
                let type = found[0], JSONParser.string(bytes, range: type) == "datetime"
            else { return nil }
            if let value = found[1], let text = JSONParser.string(bytes, range: value) {
                return (try? ISO8601.parse(text))?.instantAssumingUTC
            }
            func component(_ position: Int, default fallback: Int? = nil) -> Int? {
                guard let value = found[position] else { return fallback }
                return JSONParser.int64(bytes, range: value).map { Int($0) }
            }
            guard let year = component(2), let month = component(3), let day = component(4),
                let hour = component(5, default: 0), let minute = component(6, default: 0),
                let second = component(7, default: 0), let microsecond = component(8, default: 0)
            else { return nil }
            let wall = CivilDateTime(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: microsecond)
            guard wall.isValid else { return nil }
            return wall.instant(utcOffsetSeconds: 0)
        default:
            return nil
        }
    }

    /// The members of the object forms, in the order `decode` reads them by position.
    private static let componentNames = JSONMemberNames(
        ["__type__", "__value__", "year", "month", "day", "hour", "minute", "second", "microsecond"])

    /// The component form in UTC, with the member order Python's `DateTimeEncoder` produced.
    public static func encode(_ instant: Instant) -> JSONValue {
        let wall = CivilDateTime(instant)
        return .object([
            "__type__": .string("datetime"),
            "year": .integer(wall.year), "month": .integer(wall.month), "day": .integer(wall.day),
            "hour": .integer(wall.hour), "minute": .integer(wall.minute), "second": .integer(wall.second),
            "microsecond": .integer(wall.microsecond),
        ])
    }
}
