public import CivilTime

/// Celery's `schedule(run_every, relative)`: due `every` after the last run.
public struct IntervalSchedule: Hashable, Sendable {
    public enum Period: String, CaseIterable, Sendable {
        case weeks, days, hours, minutes, seconds, milliseconds, microseconds

        public var microseconds: Int64 {
            switch self {
            case .weeks: 604_800_000_000
            case .days: 86_400_000_000
            case .hours: 3_600_000_000
            case .minutes: 60_000_000
            case .seconds: 1_000_000
            case .milliseconds: 1000
            case .microseconds: 1
            }
        }
    }

    /// The amount as given (an integer given as such is exact up to 2^53).
    public let every: Double
    public let period: Period
    /// Celery's `relative=True`: the due time is rounded down to the interval's resolution on the
    /// zone's wall clock (whole days for intervals of a day or more, hours, minutes, else seconds).
    public let relative: Bool
    /// The interval, rounded to whole microseconds as Python's `timedelta` rounds it (half to even).
    public let duration: Microseconds

    public init(every: Int, period: Period = .seconds, relative: Bool = false) throws(ScheduleError) {
        try self.init(every: Double(every), shownAs: String(every), period: period, relative: relative)
    }

    public init(every: Double, period: Period = .seconds, relative: Bool = false) throws(ScheduleError) {
        try self.init(every: every, shownAs: every.description, period: period, relative: relative)
    }

    /// Parses the period's name, e.g. from a schedule object's `"period": "minutes"`.
    public static func period(named name: String) throws(ScheduleError) -> Period {
        guard let period = Period(rawValue: name) else {
            let names = Period.allCases.map(\.rawValue).joined(separator: ", ")
            throw .interval("period", "\"\(name)\" is not one of \(names)")
        }
        return period
    }

    private init(every: Double, shownAs text: String, period: Period, relative: Bool) throws(ScheduleError) {
        guard every.isFinite else { throw .interval("every", "\(text) is not a finite number") }
        guard every > 0 else { throw .interval("every", "\(text) must be positive") }
        let micros = (every * Double(period.microseconds)).rounded(.toNearestOrEven)
        // Python's timedelta stops at 999,999,999 days; an Int64 of microseconds at about 292,000 years.
        guard micros < 9.2e18 else { throw .interval("every", "\(text) \(period.rawValue) is too long") }
        guard micros >= 1 else { throw .interval("every", "\(text) \(period.rawValue) is shorter than a microsecond") }
        self.every = every
        self.period = period
        self.relative = relative
        self.duration = Microseconds(Int64(micros))
    }

    /// When the entry is next due after a run at `lastRunAt`: `lastRunAt + every`, rounded when
    /// `relative`. Intervals are absolute time: "every hour" is 3,600 seconds apart across DST too.
    public func nextDue(lastRunAt: Instant, in zone: TimeZoneRules = .utc) -> Instant {
        relative ? roundedDue(after: lastRunAt, in: zone) : lastRunAt + duration
    }

    // MARK: relative=True, as Celery 5.7's `celery.utils.time.remaining` computes it

    private static let day: Int64 = 86_400_000_000
    private static let hour: Int64 = 3_600_000_000
    private static let minute: Int64 = 60_000_000

    /// For intervals under a day: the last occurrence of the rounded wall time of `start + every` that
    /// is not after `start + every`. For a day or more: the first local midnight after `start` on
    /// the date of the wall time `start + every` (calendar days, so a daily run stays at midnight
    /// across DST). Rounded wall times that fall in a DST gap move forward by the gap, as
    /// `dateutil.tz.resolve_imaginary` does; ambiguous ones consider both occurrences.
    private func roundedDue(after start: Instant, in zone: TimeZoneRules) -> Instant {
        let every = duration.value
        let startWall = zone.wallTime(at: start).wallMicroseconds
        if every >= Self.day {
            let endWall = startWall + every
            let candidates = occurrences(ofWall: truncate(endWall, to: Self.day), in: zone)
            return candidates.filter { $0 > start }.min() ?? occurrences(ofWall: endWall, in: zone)[0]
        }
        let unit = every >= Self.hour ? Self.hour : every >= Self.minute ? Self.minute : 1_000_000
        let end = start + duration
        let endWall = zone.wallTime(at: end).wallMicroseconds
        var candidates = occurrences(ofWall: truncate(endWall, to: unit), in: zone)
        var rounded = candidates.filter { $0 <= end }.max() ?? candidates.min()!
        if every >= Self.minute, rounded <= start {
            // A partial-hour fall-back (Lord Howe) can round to before the start: Celery then also
            // considers the next boundary and the calendar boundary, and keeps what lies ahead.
            let step = every >= Self.hour ? Self.hour : Self.minute
            candidates += occurrences(ofWall: truncate(endWall + step, to: unit), in: zone)
            candidates += occurrences(ofWall: truncate(startWall + every, to: unit), in: zone)
            let future = candidates.filter { $0 > start }
            rounded = future.filter { $0 <= end }.max() ?? future.min() ?? end
        }
        return rounded
    }

    private func truncate(_ wall: Int64, to unit: Int64) -> Int64 {
        wall - wall.floorModulo(unit)
    }

    /// Both occurrences of an ambiguous wall time; a skipped one moved forward by the gap.
    private func occurrences(ofWall wall: Int64, in zone: TimeZoneRules) -> [Instant] {
        let civil = CivilDateTime(Instant(microsecondsSinceEpoch: wall))
        switch zone.occurrences(of: civil) {
        case .once(let instant): return [instant]
        case .twice(let first, let second): return [first, second]
        case .never(let transition): return [civil.instant(utcOffsetSeconds: transition.utcOffsetBefore)]
        }
    }
}
