import CivilTime
import SolarEvents

public import JSON

extension Schedule {
    /// Reads the `schedule` object of an entry.
    ///
    /// - Interval: `{"every": 30, "period": "seconds", "relative": false}`; `period` defaults to
    ///   seconds and `relative` to false. RedBeat's `{"__type__": "interval", "every": 30.0,
    ///   "relative": false}` (every in seconds) is the same shape.
    /// - Crontab: `{"minute": "*/15", "hour": "9-17", "day_of_week": "mon-fri", "day_of_month": "*",
    ///   "month_of_year": "*"}`; omitted fields are `*`; a field is a string, an integer or an array
    ///   of integers. RedBeat writes it with `"__type__": "crontab"`.
    ///
    /// Unknown members are errors: a misspelt `"minutes"` would otherwise leave minute at `*`,
    /// which fires every minute.
    public init(json: JSONValue) throws(ScheduleError) {
        guard let object = json.objectValue else {
            throw Self.objectError("expected an object, found \(json.typeName)")
        }
        let crontabKeys = CrontabField.allCases.map(\.rawValue)
        let type: String
        switch object["__type__"] {
        case nil:
            if object["every"] != nil {
                type = "interval"
            } else if object["solar"] != nil {
                type = "solar"
            } else if object["clocked"] != nil {
                type = "clocked"
            } else if object["rrule"] != nil {
                type = "rrule text"
            } else if object.keys.contains(where: crontabKeys.contains) {
                type = "crontab"
            } else {
                throw Self.objectError(
                    "expected \"every\" (an interval), crontab fields (\"minute\", \"hour\", ...), \"solar\", \"clocked\" or \"rrule\"")
            }
        case .string(let name)?:
            type = name
        case let other?:
            throw Self.objectError("\"__type__\" must be a string, found \(other.typeName)")
        }

        switch type {
        case "interval":
            try Self.rejectUnknownKeys(object, allowed: ["__type__", "every", "period", "relative"])
            self = .interval(try Self.interval(from: object))
        case "crontab":
            try Self.rejectUnknownKeys(object, allowed: ["__type__"] + crontabKeys)
            var specs: [CrontabField: CrontabSpec] = [:]
            for field in CrontabField.allCases {
                if let value = object[field.rawValue] {
                    specs[field] = try Self.crontabSpec(value, field: field)
                }
            }
            self = .crontab(
                try CrontabSchedule(
                    minute: specs[.minute] ?? "*", hour: specs[.hour] ?? "*", dayOfWeek: specs[.dayOfWeek] ?? "*",
                    dayOfMonth: specs[.dayOfMonth] ?? "*", monthOfYear: specs[.monthOfYear] ?? "*"))
        case "solar":
            // RedBeat writes `{"__type__": "solar", "event": ..., "lat": ..., "lon": ...}`.
            let eventKey = object["solar"] == nil && object["__type__"] != nil ? "event" : "solar"
            try Self.rejectUnknownKeys(object, allowed: ["__type__", eventKey, "lat", "lon"])
            guard let event = object[eventKey]?.stringValue else {
                throw .solar(eventKey, "expected the name of a sun event, found \(object[eventKey]?.typeName ?? "nothing")")
            }
            func degrees(_ name: String) throws(ScheduleError) -> Double {
                guard let number = object[name]?.numberValue else {
                    throw .solar(name, "expected a number of degrees, found \(object[name]?.typeName ?? "nothing")")
                }
                return number.doubleValue
            }
            self = .solar(try SolarSchedule(event: event, latitude: try degrees("lat"), longitude: try degrees("lon")))
        case "rrule":
            try Self.rejectUnknownKeys(object, allowed: ["__type__"] + RecurrenceSchedule.redBeatKeys)
            self = .rrule(try RecurrenceSchedule(redBeat: object))
        case "rrule text":
            try Self.rejectUnknownKeys(object, allowed: ["rrule"])
            guard let text = object["rrule"]?.stringValue else {
                throw ScheduleError(.invalidRrule, field: "rrule", "rrule: expected RFC 5545 text (DTSTART:...\\nRRULE:...), found \(object["rrule"]?.typeName ?? "nothing")")
            }
            self = .rrule(try RecurrenceSchedule(text: text))
        case "clocked":
            try Self.rejectUnknownKeys(object, allowed: ["__type__", "clocked"])
            guard let text = object["clocked"]?.stringValue else {
                throw .clocked("clocked", "expected an ISO 8601 date and time with an offset, found \(object["clocked"]?.typeName ?? "nothing")")
            }
            self = .clocked(try ClockedSchedule(iso8601: text))
        default:
            throw Self.objectError("schedule type \"\(type)\" is not supported (interval, crontab, solar, clocked and rrule are)")
        }
    }

    /// RedBeat's form, which Celery's RedBeat decoder reads back: `every` in seconds as a float,
    /// `relative` always present, crontab fields as they were written.
    public var json: JSONValue {
        switch self {
        case .interval(let interval):
            return .object([
                "__type__": .string("interval"), "every": .double(interval.duration.seconds),
                "relative": .bool(interval.relative),
            ])
        case .crontab(let crontab):
            var object: JSONObject = ["__type__": .string("crontab")]
            for field in CrontabField.allCases {
                switch crontab.spec(of: field) {
                case .text(let text): object[field.rawValue] = .string(text)
                case .integer(let value): object[field.rawValue] = .integer(value)
                case .integers(let values): object[field.rawValue] = .array(values.map { .integer($0) })
                }
            }
            return .object(object)
        case .solar(let solar):
            return .object(["solar": .string(solar.event.rawValue), "lat": .double(solar.latitude), "lon": .double(solar.longitude)])
        case .clocked(let clocked):
            return .object(["clocked": .string(clocked.iso8601)])
        case .rrule(let rrule):
            return rrule.redBeatJSON
        }
    }

    /// The form RedBeat's `RedBeatJSONEncoder` writes, or why it has none: its encoder knows
    /// interval, crontab and rrule only (`solar` and django-celery-beat's clocked raise TypeError
    /// in `json.dumps`), and stores an rrule's `dtstart` as a timestamp with a fixed UTC offset.
    public var redBeatForm: Result<JSONValue, ScheduleError> {
        switch self {
        case .interval, .crontab:
            return .success(json)
        case .rrule(let rrule):
            guard rrule.utcOffsetSeconds != nil else {
                return .failure(ScheduleError(
                    .invalidRrule, field: "dtstart",
                    "rrule DTSTART: RedBeat stores it with a fixed UTC offset; give it in UTC (DTSTART:20260101T090000Z) for a RedBeat entry"))
            }
            return .success(rrule.redBeatFields)
        case .solar:
            return .failure(Self.objectError("RedBeat cannot store a solar schedule (its encoder writes interval, crontab and rrule)"))
        case .clocked:
            return .failure(Self.objectError("RedBeat cannot store a clocked schedule (its encoder writes interval, crontab and rrule)"))
        }
    }

    private static func interval(from object: JSONObject) throws(ScheduleError) -> IntervalSchedule {
        var period = IntervalSchedule.Period.seconds
        if let value = object["period"] {
            guard let name = value.stringValue else {
                throw .interval("period", "expected a string such as \"seconds\", found \(value.typeName)")
            }
            period = try IntervalSchedule.period(named: name)
        }
        var relative = false
        if let value = object["relative"] {
            guard let flag = value.boolValue else {
                throw .interval("relative", "expected true or false, found \(value.typeName)")
            }
            relative = flag
        }
        guard let every = object["every"]?.numberValue else {
            throw .interval("every", "expected a number, found \(object["every"]?.typeName ?? "nothing")")
        }
        if let integer = every.int64Value, let exact = Int(exactly: integer) {
            return try IntervalSchedule(every: exact, period: period, relative: relative)
        }
        return try IntervalSchedule(every: every.doubleValue, period: period, relative: relative)
    }

    private static func crontabSpec(_ value: JSONValue, field: CrontabField) throws(ScheduleError) -> CrontabSpec {
        switch value {
        case .string(let text):
            return .text(text)
        case .number(let number):
            guard let integer = number.int64Value, let exact = Int(exactly: integer) else {
                throw .crontabField(field, "\(number) is not a whole number")
            }
            return .integer(exact)
        case .array(let items):
            var values: [Int] = []
            for item in items {
                guard let integer = item.numberValue?.int64Value, let exact = Int(exactly: integer) else {
                    throw .crontabField(field, "a list may hold only whole numbers, found \(item.typeName)")
                }
                values.append(exact)
            }
            return .integers(values)
        default:
            throw .crontabField(field, "expected a string, an integer or a list of integers, found \(value.typeName)")
        }
    }

    private static func rejectUnknownKeys(_ object: JSONObject, allowed: [String]) throws(ScheduleError) {
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            let expected = allowed.filter { $0 != "__type__" }.map { "\"\($0)\"" }.joined(separator: ", ")
            throw objectError("unknown member \"\(unknown)\" (expected \(expected))")
        }
    }

    private static func objectError(_ problem: String) -> ScheduleError {
        ScheduleError(.invalidScheduleObject, field: nil, "schedule: \(problem)")
    }
}
