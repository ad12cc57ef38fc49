import BeatCore
public import CivilTime
public import JSON

/// RedBeat's datetime: `{"__type__": "datetime", "year": ..., "microsecond": ..., "timezone": Z}`,
/// the wall time in the zone `Z`, which is an IANA name (`"UTC"`, `"Europe/Berlin"`; missing means
/// UTC, as RedBeat 1.x wrote no zone) or a fixed offset in seconds as a number (`14400.0`).
public enum RedBeatDatetime {
    /// The instant `value` names, or nil when it is not such an object or names a zone this
    /// machine does not have. A wall time in a DST overlap is its first occurrence, and one in a
    /// gap is read with the offset before the gap: Python's `fold=0`.
    public static func decode(_ value: JSONValue, zones: ZoneCache) -> Instant? {
        guard let object = value.objectValue, object["__type__"]?.stringValue == "datetime" else { return nil }
        func component(_ name: String, default fallback: Int? = nil) -> Int? {
            guard let value = object[name] else { return fallback }
            guard case .number(let number) = value else { return nil }
            return number.int64Value.map { Int($0) }
        }
        guard let year = component("year"), let month = component("month"), let day = component("day"),
            let hour = component("hour", default: 0), let minute = component("minute", default: 0),
            let second = component("second", default: 0), let microsecond = component("microsecond", default: 0)
        else { return nil }
        let wall = CivilDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: microsecond)
        guard wall.isValid else { return nil }
        switch object["timezone"] {
        case nil:
            return wall.instant(utcOffsetSeconds: 0)
        case .string(let name)?:
            guard let zone = zones.rules(named: name) else { return nil }
            switch zone.occurrences(of: wall) {
            case .once(let instant), .twice(let instant, _): return instant
            case .never(let transition): return wall.instant(utcOffsetSeconds: transition.utcOffsetBefore)
            }
        case .number(let number)?:
            let seconds = number.doubleValue
            guard seconds.isFinite, abs(seconds) < 86_400 else { return nil }
            return wall.instant(utcOffsetSeconds: Int(seconds.rounded()))
        default:
            return nil
        }
    }

    /// The form RedBeat writes for a UTC instant: `"timezone": "UTC"`, which it reads back as
    /// `ZoneInfo("UTC")`, an aware datetime (a naive one would break its `is_due`).
    public static func encode(_ instant: Instant) -> JSONValue {
        // celerybeat-redis's component form, in the same member order, with RedBeat's zone last.
        var object = PythonDatetime.encode(instant).objectValue ?? [:]
        object["timezone"] = .string("UTC")
        return .object(object)
    }
}

/// Time zones by name, loaded from the tz database once each: every meta RedBeat wrote with
/// `app.timezone` set names one, and reading the file for each would dominate loading.
///
/// A class, held by a `let`: the runner passes it with every decode, and a struct in a property of
/// the runner (a class) would cost an exclusivity check per firing even where no zone is read.
public final class ZoneCache {
    private var zones: [String: TimeZoneRules?] = ["UTC": .utc]

    public init() {}

    public func rules(named name: String) -> TimeZoneRules? {
        if let known = zones[name] { return known }
        let loaded = try? TimeZoneRules.load(identifier: name)
        zones[name] = .some(loaded)
        return loaded
    }
}
