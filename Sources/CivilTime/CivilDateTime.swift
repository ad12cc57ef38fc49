/// A wall-clock date and time with no zone: what a crontab field or a naive Python `datetime` describes.
///
/// Conversions use the proleptic Gregorian calendar, as Python's `datetime` does, through
/// Howard Hinnant's days-from-civil algorithm (exact for every year an `Int64` of days can hold).
public struct CivilDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var microsecond: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
    }

    /// The wall time `instant` shows at a fixed offset from UTC.
    public init(_ instant: Instant, utcOffsetSeconds: Int = 0) {
        let local = instant.microsecondsSinceEpoch + Int64(utcOffsetSeconds) * 1_000_000
        let days = local.floorDivided(by: 86_400_000_000)
        let microsOfDay = local.floorModulo(86_400_000_000)
        let date = CivilDate(daysSinceEpoch: days)
        let secondsOfDay = Int(microsOfDay / 1_000_000)
        self.init(
            year: date.year, month: date.month, day: date.day,
            hour: secondsOfDay / 3600, minute: secondsOfDay / 60 % 60, second: secondsOfDay % 60,
            microsecond: Int(microsOfDay % 1_000_000))
    }

    public var date: CivilDate {
        CivilDate(year: year, month: month, day: day)
    }

    /// The instant at which a clock `utcOffsetSeconds` ahead of UTC shows this wall time.
    public func instant(utcOffsetSeconds: Int = 0) -> Instant {
        Instant(microsecondsSinceEpoch: wallMicroseconds - Int64(utcOffsetSeconds) * 1_000_000)
    }

    /// Microseconds since 1970-01-01T00:00 on the same wall clock: a linear scale for comparing wall times.
    public var wallMicroseconds: Int64 {
        let seconds = date.daysSinceEpoch * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return seconds * 1_000_000 + Int64(microsecond)
    }

    /// True when every field is inside its calendar range (February 30th is not).
    public var isValid: Bool {
        (1...12).contains(month) && (1...CivilDate.daysIn(month: month, year: year)).contains(day)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...59).contains(second)
            && (0...999_999).contains(microsecond)
    }

    public static func < (lhs: CivilDateTime, rhs: CivilDateTime) -> Bool {
        lhs.wallMicroseconds < rhs.wallMicroseconds
    }

    public var description: String {
        ISO8601.formatNaive(self)
    }
}

/// A calendar day in the proleptic Gregorian calendar.
public struct CivilDate: Hashable, Comparable, Sendable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public init(daysSinceEpoch days: Int64) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.init(year: Int(year), month: Int(month), day: Int(day))
    }

    public var daysSinceEpoch: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Day of the week with Sunday = 0, Celery's and cron's numbering.
    public var weekday: Int {
        Int((daysSinceEpoch + 4).floorModulo(7))
    }

    public static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
