public import CivilTime
public import JSON
public import Recurrence

extension RecurrenceSchedule {
    /// The members of RedBeat's `{"__type__": "rrule", ...}` (celery-redbeat 2.4.2's
    /// `RedBeatJSONEncoder`): dateutil's argument names.
    static let redBeatKeys = [
        "freq", "dtstart", "dtstart_tz", "until", "until_tz", "interval", "wkst", "count", "bysetpos", "bymonth", "bymonthday",
        "byyearday", "byeaster", "byweekno", "byweekday", "byhour", "byminute", "bysecond",
    ]

    /// Reads RedBeat's form: `freq` as dateutil's number (0 = yearly) or name, `dtstart`/`until` as
    /// UTC seconds with `dtstart_tz`/`until_tz` offsets in minutes, every `by...` as null, a number
    /// or a list, weekdays as numbers (0 = Monday) or `{"__type__": "weekday", "wkday": 0, "n": 1}`
    /// (RedBeat 2.4.2 writes no `n`, so it drops an ordinal when it saves; one written is read).
    ///
    /// A missing `dtstart` is refused: RedBeat would take the moment each process decodes the entry,
    /// so no two nodes would agree on the slots.
    public init(redBeat object: JSONObject) throws(ScheduleError) {
        func fail(_ field: String, _ problem: String) -> ScheduleError {
            ScheduleError(.invalidRrule, field: field, "rrule \(field): \(problem)")
        }
        func integer(_ value: JSONValue, _ field: String) throws(ScheduleError) -> Int {
            guard let number = value.numberValue, let whole = number.int64Value, let exact = Int(exactly: whole) else {
                throw fail(field, "expected a whole number, found \(value.typeName)")
            }
            return exact
        }
        func list(_ field: String) throws(ScheduleError) -> [Int] {
            switch object[field] {
            case nil, .null?: return []
            case .array(let items)?:
                var values: [Int] = []
                for item in items { values.append(try integer(item, field)) }
                return values
            case let value?: return [try integer(value, field)]
            }
        }
        func weekday(_ value: JSONValue) throws(ScheduleError) -> RecurrenceRule.Weekday {
            if let day = value.objectValue {
                guard let wkday = day["wkday"] else { throw fail("byweekday", "a weekday object without \"wkday\"") }
                let ordinal = try day["n"].flatMap { n throws(ScheduleError) -> Int? in n.isNull ? nil : try integer(n, "byweekday") }
                return RecurrenceRule.Weekday(try integer(wkday, "byweekday"), ordinal: ordinal)
            }
            return RecurrenceRule.Weekday(try integer(value, "byweekday"))
        }
        func instant(_ field: String) throws(ScheduleError) -> (Instant, Int)? {
            guard let value = object[field], !value.isNull else { return nil }
            guard let seconds = value.numberValue?.doubleValue, seconds.isFinite else {
                throw fail(field, "expected UTC seconds, found \(value.typeName)")
            }
            var offset = 0
            if let minutes = object[field + "_tz"], !minutes.isNull {
                guard let number = minutes.numberValue?.doubleValue, abs(number) < 24 * 60 else {
                    throw fail(field + "_tz", "expected an offset in minutes, found \(minutes.typeName)")
                }
                offset = Int((number * 60).rounded())
            }
            return (Instant(microsecondsSinceEpoch: Int64((seconds * 1_000_000).rounded())), offset)
        }

        let frequency: RecurrenceRule.Frequency
        switch object["freq"] {
        case .string(let name)?:
            guard let named = RecurrenceRule.Frequency(name: name) else { throw fail("freq", "\"\(name)\" is not YEARLY ... SECONDLY") }
            frequency = named
        case let value?:
            let number = try integer(value, "freq")
            guard let numbered = RecurrenceRule.Frequency(rawValue: number) else { throw fail("freq", "\(number) is not 0 (yearly) ... 6 (secondly)") }
            frequency = numbered
        case nil:
            throw fail("freq", "missing")
        }
        guard let (start, offset) = try instant("dtstart") else { throw fail("dtstart", "missing") }
        var byWeekday: [RecurrenceRule.Weekday]?
        switch object["byweekday"] {
        case nil, .null?: byWeekday = nil
        case .array(let items)?:
            var days: [RecurrenceRule.Weekday] = []
            for item in items { days.append(try weekday(item)) }
            byWeekday = days
        case let value?: byWeekday = [try weekday(value)]
        }
        var weekStart = 0
        if let value = object["wkst"], !value.isNull { weekStart = try weekday(value).weekday }
        var count: Int?
        if let value = object["count"], !value.isNull { count = try integer(value, "count") }
        var interval = 1
        if let value = object["interval"], !value.isNull { interval = try integer(value, "interval") }
        do {
            rule = try RecurrenceRule(
                frequency: frequency, start: CivilDateTime(start, utcOffsetSeconds: offset), interval: interval, weekStart: weekStart,
                count: count, until: try instant("until").map { .instant($0.0) }, bySetPosition: try list("bysetpos"),
                byMonth: try list("bymonth"), byMonthDay: try list("bymonthday"), byYearDay: try list("byyearday"),
                byEaster: try list("byeaster"), byWeekNumber: try list("byweekno"), byWeekday: byWeekday, byHour: try list("byhour"),
                byMinute: try list("byminute"), bySecond: try list("bysecond"))
        } catch let error as RecurrenceError {
            throw ScheduleError(.invalidRrule, field: error.field.lowercased(), error.description)
        } catch let error as ScheduleError {
            throw error
        } catch {
            throw fail("rrule", "\(error)")
        }
        utcOffsetSeconds = offset
        text = nil
    }

    /// swiftbeat's spelling, `{"rrule": "DTSTART:...\nRRULE:..."}`. DTSTART is required: the first
    /// occurrence and the time of day come from it, and a stored entry must not take them from the
    /// moment each beat reads it (as dateutil's default would).
    public init(text: String) throws(ScheduleError) {
        guard text.uppercased().contains("DTSTART") else {
            throw ScheduleError(.invalidRrule, field: "dtstart", "rrule DTSTART: required in a stored entry (the first occurrence and its time of day come from it)")
        }
        do {
            let (rule, start) = try RecurrenceRule.parse(text, defaultStart: CivilDateTime(year: 1970, month: 1, day: 1))
            self.init(rule: rule, utcOffsetSeconds: start == .utc ? 0 : nil, text: text)
        } catch {
            throw ScheduleError(.invalidRrule, field: error.field.lowercased(), error.description)
        }
    }

    /// The form it was written in: swiftbeat's text, else RedBeat's fields (`redBeatFields`).
    public var redBeatJSON: JSONValue {
        if let text { return .object(["rrule": .string(text)]) }
        return redBeatFields
    }

    /// RedBeat's form, as its encoder writes it (weekdays as RedBeat's weekday objects, with `n`
    /// when there is an ordinal), whatever form the rule was written in: what a RedBeat entry must hold.
    public var redBeatFields: JSONValue {
        func list(_ values: [Int]) -> JSONValue { values.isEmpty ? .null : .array(values.map { .integer(Int64($0)) }) }
        let offset = utcOffsetSeconds ?? 0
        let startInstant = rule.start.instant(utcOffsetSeconds: offset)
        var object: JSONObject = [
            "__type__": .string("rrule"), "freq": .integer(Int64(rule.frequency.rawValue)), "interval": .integer(Int64(rule.interval)),
            "wkst": .integer(Int64(rule.weekStart)), "count": rule.count.map { .integer(Int64($0)) } ?? .null,
            "bysetpos": list(rule.bySetPosition), "bymonth": list(rule.byMonth), "bymonthday": list(rule.byMonthDay),
            "byyearday": list(rule.byYearDay), "byeaster": list(rule.byEaster), "byweekno": list(rule.byWeekNumber),
            "byweekday": rule.byWeekday.map { days in
                .array(days.map { day in
                    var weekday: JSONObject = ["__type__": .string("weekday"), "wkday": .integer(Int64(day.weekday))]
                    if let ordinal = day.ordinal { weekday["n"] = .integer(Int64(ordinal)) }
                    return .object(weekday)
                })
            } ?? .null,
            "byhour": list(rule.byHour), "byminute": list(rule.byMinute), "bysecond": list(rule.bySecond),
            "dtstart": .integer(startInstant.secondsSinceEpoch), "dtstart_tz": Self.offsetMinutes(offset),
        ]
        if case .instant(let until)? = rule.until {
            object["until"] = .integer(until.secondsSinceEpoch)
            object["until_tz"] = Self.offsetMinutes(offset)
        }
        return .object(object)
    }

    /// An offset as RedBeat's `get_utcoffset_minutes` gives it: float minutes, but the integer 0
    /// for UTC (its `if utcoffset else 0`), so a UTC rule's text is the one RedBeat writes.
    static func offsetMinutes(_ seconds: Int) -> JSONValue {
        seconds == 0 ? .integer(0) : .double(Double(seconds) / 60)
    }
}
