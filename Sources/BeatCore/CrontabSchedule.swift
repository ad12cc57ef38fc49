public import CivilTime

/// A Celery `crontab`: minute, hour, day of week, day of month and month of year.
///
/// The syntax is Celery's (`CrontabFieldParser`), and so is the meaning of the day fields: a day
/// matches when it matches day_of_week **and** day_of_month **and** month_of_year. (cron(8) ORs
/// day_of_week with day_of_month when both are restricted; Celery does not, so `day_of_week=1,
/// day_of_month="1-7,15-21"` is the first and third Monday of each month.)
///
/// Fields are evaluated in the wall-clock time of a zone; see `nextRun(after:in:)` for how
/// daylight-saving changes are handled.
public struct CrontabSchedule: Hashable, Sendable {
    /// The fields as given, for writing back and for display.
    public let minute: CrontabSpec
    public let hour: CrontabSpec
    public let dayOfWeek: CrontabSpec
    public let dayOfMonth: CrontabSpec
    public let monthOfYear: CrontabSpec

    /// Bit `v` set for each matching value; these decide every comparison, so two crontabs with the
    /// same sets are equal however they were written (Celery's `crontab.__eq__` compares sets too).
    let minutes: UInt64
    let hours: UInt64
    let weekdays: UInt64
    let daysOfMonth: UInt64
    let months: UInt64

    /// Builds a crontab from Celery's keyword arguments, in Celery's order; omitted fields are `*`.
    ///
    /// Throws when a field is malformed or out of range, and when no day can ever match
    /// (`day_of_month` 30 with `month_of_year` 2): Celery raises `ValueError` for the same inputs.
    public init(
        minute: CrontabSpec = "*", hour: CrontabSpec = "*", dayOfWeek: CrontabSpec = "*",
        dayOfMonth: CrontabSpec = "*", monthOfYear: CrontabSpec = "*"
    ) throws(ScheduleError) {
        self.minute = minute
        self.hour = hour
        self.dayOfWeek = dayOfWeek
        self.dayOfMonth = dayOfMonth
        self.monthOfYear = monthOfYear
        minutes = try CrontabFieldParser.parse(minute, field: .minute)
        hours = try CrontabFieldParser.parse(hour, field: .hour)
        weekdays = try CrontabFieldParser.parse(dayOfWeek, field: .dayOfWeek)
        daysOfMonth = try CrontabFieldParser.parse(dayOfMonth, field: .dayOfMonth)
        months = try CrontabFieldParser.parse(monthOfYear, field: .monthOfYear)

        // Some (month, day) must exist in some year. Every such date falls on each weekday within
        // the 400-year Gregorian cycle (February 29 included), so the weekday field cannot make a
        // crontab impossible; this check is therefore exact, and `nextRun` always finds a run.
        let possible = (1...12).contains { month in
            months & (1 << UInt64(month)) != 0
                && daysOfMonth & Self.daysUpTo(CivilDate.daysIn(month: month, year: 2000)) != 0
        }
        guard possible else {
            throw ScheduleError(
                .crontabNeverFires, field: CrontabField.dayOfMonth.rawValue,
                "crontab can never fire: day_of_month \(dayOfMonth) with month_of_year \(monthOfYear)")
        }
    }

    /// Parses `"minute hour day_of_month month_of_year day_of_week"`, the order of cron and of
    /// Celery's `crontab.from_string` (note: not the order of the keyword arguments).
    /// Fields are separated by runs of spaces or tabs (Celery needs exactly one space).
    public init(fromString text: String) throws(ScheduleError) {
        let fields = text.utf8.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            .map { CrontabSpec.text(String(Substring($0))) }
        guard fields.count == 5 else {
            throw ScheduleError(
                .invalidCrontabString, field: nil,
                "crontab \"\(text)\": expected 5 fields (minute hour day_of_month month_of_year day_of_week), found \(fields.count)"
            )
        }
        try self.init(
            minute: fields[0], hour: fields[1], dayOfWeek: fields[4], dayOfMonth: fields[2], monthOfYear: fields[3])
    }

    /// The original field of `field`.
    public func spec(of field: CrontabField) -> CrontabSpec {
        switch field {
        case .minute: minute
        case .hour: hour
        case .dayOfWeek: dayOfWeek
        case .dayOfMonth: dayOfMonth
        case .monthOfYear: monthOfYear
        }
    }

    /// The expanded values of `field`, ascending.
    public func values(of field: CrontabField) -> [Int] {
        let mask: UInt64
        switch field {
        case .minute: mask = minutes
        case .hour: mask = hours
        case .dayOfWeek: mask = weekdays
        case .dayOfMonth: mask = daysOfMonth
        case .monthOfYear: mask = months
        }
        return (0..<64).filter { mask & (1 << UInt64($0)) != 0 }
    }

    /// The fields in `from_string` order, as written.
    public var expression: String {
        "\(minute) \(hour) \(dayOfMonth) \(monthOfYear) \(dayOfWeek)"
    }

    /// True when the hour field matches all 24 hours (`*`, `*/1`, `0-23`, ...). Such a crontab follows
    /// wall-clock matches in absolute time through DST changes; see `nextRun(after:in:)`.
    public var matchesEveryHour: Bool {
        hours == (1 << 24) - 1
    }

    /// Whether `wall` (seconds ignored) matches every field.
    public func matches(_ wall: CivilDateTime) -> Bool {
        minutes & (1 << UInt64(wall.minute)) != 0 && hours & (1 << UInt64(wall.hour)) != 0
            && daysOfMonth & (1 << UInt64(wall.day)) != 0 && months & (1 << UInt64(wall.month)) != 0
            && weekdays & (1 << UInt64(wall.date.weekday)) != 0
    }

    public static func == (lhs: CrontabSchedule, rhs: CrontabSchedule) -> Bool {
        lhs.minutes == rhs.minutes && lhs.hours == rhs.hours && lhs.weekdays == rhs.weekdays
            && lhs.daysOfMonth == rhs.daysOfMonth && lhs.months == rhs.months
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(minutes)
        hasher.combine(hours)
        hasher.combine(weekdays)
        hasher.combine(daysOfMonth)
        hasher.combine(months)
    }

    /// Bits 1 through `day`.
    static func daysUpTo(_ day: Int) -> UInt64 {
        ((1 << UInt64(day + 1)) - 1) & ~1
    }
}
