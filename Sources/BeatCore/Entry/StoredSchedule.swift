public import JSON
import YAML

/// The `schedule` member as celerybeat-redis (0.1.5 and later) reads it, from anything a person
/// may write for one.
///
/// celerybeat-redis builds `Interval(**schedule)` or `Crontab(**schedule)` and tells them apart by
/// their keys: `every` *and* `period` for an interval, all five crontab fields for a crontab. So
/// what swiftbeat writes always has `period`, always has the five fields (`*` where none was
/// given), and never has RedBeat's `__type__`. `relative` is written only when true, because
/// celerybeat-redis's `Interval` takes no such argument (swiftbeat reads it; celerybeat-redis
/// would reject the entry either way).
public enum StoredSchedule {
    /// The accepted forms:
    /// - a number of seconds: `30`, `1.5`;
    /// - a duration: `"30s"`, `"5m"`, `"1h"`, `"1d"`, `"1.5s"` (see `interval(fromDuration:)`);
    /// - a crontab string in cron order: `"30 7 * * mon"` (minute hour day_of_month month_of_year day_of_week);
    /// - an object as entries store it: `{"every": 30, "period": "seconds"}`, crontab fields, or
    ///   RedBeat's `__type__` forms. Numbers and field values are kept as written.
    public static func normalize(_ value: JSONValue) throws(ScheduleError) -> JSONValue {
        switch value {
        case .number:
            let object: JSONObject = ["every": value, "period": .string("seconds")]
            _ = try Schedule(json: .object(object))
            return .object(object)
        case .string(let text):
            let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count == 1 {
                return try interval(fromDuration: text)
            }
            let crontab = try CrontabSchedule(fromString: text)
            return .object(fieldsObject { field in .string(crontab.spec(of: field).description) })
        case .object(let object):
            switch try Schedule(json: value) {
            case .interval(let interval):
                var stored: JSONObject = ["every": object["every"] ?? .null, "period": object["period"] ?? .string("seconds")]
                if interval.relative { stored["relative"] = .bool(true) }
                return .object(stored)
            case .crontab:
                return .object(fieldsObject { field in
                    let given = object[field.rawValue] ?? .string("*")
                    // celerybeat-redis turns a falsy day_of_week, day_of_month or month_of_year into "*",
                    // which would make Sunday's 0 mean every day.
                    if field != .minute && field != .hour, given == .integer(0) { return .string("0") }
                    return given
                })
            case .solar, .clocked, .rrule:
                // Kept as written: celerybeat-redis cannot load these kinds either way (see README).
                var stored = object
                stored["__type__"] = nil
                return .object(stored)
            }
        default:
            throw ScheduleError(
                .invalidScheduleObject, field: nil,
                "schedule: expected a number of seconds, a duration such as \"5m\", a crontab such as \"30 7 * * *\" or an object, found \(value.typeName)"
            )
        }
    }

    /// `30s`, `5m`, `1h`, `1d`, `1.5s`, or a plain number of seconds, as an interval object:
    /// `{"every": 5, "period": "minutes"}`.
    public static func interval(fromDuration text: String) throws(ScheduleError) -> JSONValue {
        var number = Substring(text)
        var period = "seconds"
        if let unit = number.last, let name = ["s": "seconds", "m": "minutes", "h": "hours", "d": "days"][unit] {
            period = name
            number = number.dropLast()
        }
        let isDecimal =
            !number.isEmpty && number.first != "." && number.last != "."
            && number.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") } && number.filter { $0 == "." }.count <= 1
        guard isDecimal, let literal = YAML.numberLiteral(String(number)), let every = JSONNumber(literal: literal)
        else {
            throw ScheduleError(
                .invalidInterval, field: "every",
                "duration \"\(text)\": expected a number with an optional unit s, m, h or d (30s, 5m, 1h, 1d, 1.5s, 30)")
        }
        let object: JSONObject = ["every": .number(every), "period": .string(period)]
        _ = try Schedule(json: .object(object))
        return .object(object)
    }

    private static func fieldsObject(_ value: (CrontabField) -> JSONValue) -> JSONObject {
        var object = JSONObject()
        for field in [CrontabField.minute, .hour, .dayOfWeek, .dayOfMonth, .monthOfYear] {
            object[field.rawValue] = value(field)
        }
        return object
    }
}
