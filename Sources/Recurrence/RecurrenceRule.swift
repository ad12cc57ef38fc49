public import CivilTime

/// An RFC 5545 recurrence rule (`RRULE`) with its start (`DTSTART`), evaluated the way
/// python-dateutil's `rrule` evaluates it, because RedBeat's `rrule` schedule is dateutil's.
///
/// The rule is kept as written (what is stored back must be what was read); the defaults RFC 5545
/// takes from `DTSTART` (the month day of a monthly rule, the weekday of a weekly one, the time of
/// day of anything coarser than hourly) are applied when occurrences are computed
/// (`RecurrenceRule+Occurrences.swift`).
///
/// Numbering follows dateutil, which RedBeat stores: weekdays 0 = Monday ... 6 = Sunday,
/// frequencies 0 = yearly ... 6 = secondly.
public struct RecurrenceRule: Hashable, Sendable {
    public enum Frequency: Int, Hashable, Sendable, CaseIterable {
        case yearly = 0, monthly, weekly, daily, hourly, minutely, secondly

        /// The RFC 5545 name (`YEARLY`).
        public var name: String {
            switch self {
            case .yearly: "YEARLY"
            case .monthly: "MONTHLY"
            case .weekly: "WEEKLY"
            case .daily: "DAILY"
            case .hourly: "HOURLY"
            case .minutely: "MINUTELY"
            case .secondly: "SECONDLY"
            }
        }

        /// How many periods 10,000 Gregorian years hold (3,652,425 days), rounded down: the
        /// longest INTERVAL with meaning, since rules are evaluated over years 1 to 9999.
        var unitsIn10000Years: Int64 {
            switch self {
            case .yearly: 10_000
            case .monthly: 120_000
            case .weekly: 3_652_425 / 7
            case .daily: 3_652_425
            case .hourly, .minutely, .secondly: 3_652_425 * Int64(unitsPerDay)
            }
        }

        public init?(name: String) {
            guard let match = Self.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
            self = match
        }
    }

    /// A `BYDAY` element: a weekday (0 = Monday), with an ordinal such as the `+1` of `+1MO` or the
    /// `-1` of `-1FR` (the first Monday, the last Friday of the month or year).
    public struct Weekday: Hashable, Sendable {
        public var weekday: Int
        public var ordinal: Int?

        public init(_ weekday: Int, ordinal: Int? = nil) {
            self.weekday = weekday
            self.ordinal = ordinal
        }

        public static let names = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    }

    /// Where the occurrences end. An instant (`UNTIL=...Z`, RedBeat's `until`) is compared as an
    /// instant; a wall time without a zone is compared on the rule's wall clock, as dateutil compares
    /// datetimes that share their tzinfo.
    public enum Until: Hashable, Sendable {
        case instant(Instant)
        case wallTime(CivilDateTime)
    }

    public let frequency: Frequency
    /// `DTSTART` on the wall clock of the zone the rule is evaluated in; whole seconds (dateutil
    /// drops the microseconds).
    public let start: CivilDateTime
    public let interval: Int
    /// The first day of a week (0 = Monday, dateutil's default and RFC 5545's).
    public let weekStart: Int
    public let count: Int?
    public let until: Until?
    public let bySetPosition: [Int]
    public let byMonth: [Int]
    public let byMonthDay: [Int]
    public let byYearDay: [Int]
    /// Days relative to Western Easter Sunday (dateutil's `byeaster`, not in RFC 5545).
    public let byEaster: [Int]
    public let byWeekNumber: [Int]
    /// `nil` when not given: an empty list given explicitly turns dateutil's defaults off.
    public let byWeekday: [Weekday]?
    public let byHour: [Int]
    public let byMinute: [Int]
    public let bySecond: [Int]

    /// Checks every part against RFC 5545's ranges (and dateutil's, which refuses a sub-daily rule
    /// whose interval can never reach its `BYHOUR`/`BYMINUTE`/`BYSECOND`), naming the part at fault.
    public init(
        frequency: Frequency, start: CivilDateTime, interval: Int = 1, weekStart: Int = 0, count: Int? = nil,
        until: Until? = nil, bySetPosition: [Int] = [], byMonth: [Int] = [], byMonthDay: [Int] = [],
        byYearDay: [Int] = [], byEaster: [Int] = [], byWeekNumber: [Int] = [], byWeekday: [Weekday]? = nil,
        byHour: [Int] = [], byMinute: [Int] = [], bySecond: [Int] = []
    ) throws(RecurrenceError) {
        guard interval >= 1 else { throw RecurrenceError(field: "INTERVAL", "\(interval) is not a positive whole number") }
        // Past this, a rule's second period starts after year 9999 (dateutil answers DTSTART alone),
        // and the period arithmetic of `forEachCandidate` would overflow (found by fuzzing).
        guard Int64(interval) <= frequency.unitsIn10000Years else {
            throw RecurrenceError(
                field: "INTERVAL", "\(interval) is longer than 10,000 years of \(frequency.name.lowercased()) periods (\(frequency.unitsIn10000Years))")
        }
        guard (0...6).contains(weekStart) else { throw RecurrenceError(field: "WKST", "\(weekStart) is not a weekday 0-6") }
        if let count, count < 0 { throw RecurrenceError(field: "COUNT", "\(count) is negative") }
        guard start.isValid, (1...9999).contains(start.year) else {
            throw RecurrenceError(field: "DTSTART", "\(start) is not a valid date and time")
        }
        try Self.check(bySetPosition, "BYSETPOS", -366...366, zero: false)
        try Self.check(byMonth, "BYMONTH", 1...12)
        try Self.check(byMonthDay, "BYMONTHDAY", -31...31, zero: false)
        try Self.check(byYearDay, "BYYEARDAY", -366...366, zero: false)
        try Self.check(byEaster, "BYEASTER", -366...366)
        try Self.check(byWeekNumber, "BYWEEKNO", -53...53, zero: false)
        try Self.check(byHour, "BYHOUR", 0...23)
        try Self.check(byMinute, "BYMINUTE", 0...59)
        try Self.check(bySecond, "BYSECOND", 0...59)
        for day in byWeekday ?? [] {
            guard (0...6).contains(day.weekday) else { throw RecurrenceError(field: "BYDAY", "\(day.weekday) is not a weekday 0-6") }
            if let ordinal = day.ordinal, ordinal == 0 || abs(ordinal) > 53 {
                throw RecurrenceError(field: "BYDAY", "ordinal \(ordinal) is outside -53...-1, 1...53")
            }
        }
        self.frequency = frequency
        self.start = CivilDateTime(
            year: start.year, month: start.month, day: start.day, hour: start.hour, minute: start.minute, second: start.second)
        self.interval = interval
        self.weekStart = weekStart
        self.count = count
        self.until = until
        self.bySetPosition = bySetPosition
        self.byMonth = byMonth
        self.byMonthDay = byMonthDay
        self.byYearDay = byYearDay
        self.byEaster = byEaster
        self.byWeekNumber = byWeekNumber
        self.byWeekday = byWeekday
        self.byHour = byHour
        self.byMinute = byMinute
        self.bySecond = bySecond
        if frequency.rawValue >= Frequency.hourly.rawValue, !Expansion(self).reachesSomeTimeOfDay {
            throw RecurrenceError(
                field: "INTERVAL", "every \(interval) \(frequency.name.lowercased()) from \(start) never reaches the BYHOUR/BYMINUTE/BYSECOND times")
        }
    }

    private static func check(_ values: [Int], _ field: String, _ range: ClosedRange<Int>, zero: Bool = true) throws(RecurrenceError) {
        for value in values where !range.contains(value) || (!zero && value == 0) {
            throw RecurrenceError(field: field, "\(value) is outside \(range.lowerBound)...\(range.upperBound)\(zero ? "" : " or 0")")
        }
    }
}
