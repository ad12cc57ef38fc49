public import CivilTime

extension CrontabSchedule {
    /// The first instant strictly after `instant` at which the crontab fires in `zone`.
    ///
    /// Fire times are whole minutes of the zone's wall clock. Daylight-saving changes follow cronie,
    /// the cron most Linux hosts run:
    /// - When the hour field matches all 24 hours (`matchesEveryHour`), the crontab fires at every
    ///   instant whose wall time matches. An hourly or every-15-minutes crontab thus keeps its rhythm
    ///   in absolute time: both passes of a repeated hour fire, and a skipped hour has no instants.
    /// - Otherwise (specific hours, which is what people mean by "at 02:30"), a matching wall time
    ///   that occurs twice fires once, at its first occurrence; and matching wall times that do not
    ///   exist (the gap when clocks spring forward) fire once, at the first instant after the gap,
    ///   however many of them the gap swallowed.
    ///
    /// Why this rule: a frequent job should neither pause for an hour nor bunch up when clocks
    /// change, and a daily job should run exactly once on the day its time is skipped or repeated.
    /// Celery 5.7 instead does wall-clock arithmetic and converts at the end: it skips the repeated
    /// hour of hourly jobs (celery/celery#10107), runs a job set for a skipped time an hour late, and
    /// after a start in the second pass of a repeated hour answers an instant in the past.
    ///
    /// The zone is walked one constant-offset segment at a time. Inside a segment wall time runs in
    /// step with UTC, so the search there is plain field arithmetic on the wall clock (bitsets per
    /// field, months and days skipped whole), bounded by the segment's wall-clock range. Cost: one
    /// binary search in the zone's transition table plus a few dozen integer operations, typically.
    public func nextRun(after instant: Instant, in zone: TimeZoneRules = .utc) -> Instant {
        var segment = zone.segment(containing: instant)
        var isFirstSegment = true
        // A valid crontab matches some wall time within a few decades (see `init`), and a zone
        // changes offset a few times a year, so this bound is never reached.
        for _ in 0..<4_000 {
            let offset = Int64(segment.utcOffsetSeconds) * 1_000_000
            let wallEnd = segment.end.map { $0.microsecondsSinceEpoch + offset }
            var lower: Int64
            if isFirstSegment {
                lower = instant.microsecondsSinceEpoch + offset + 1
            } else {
                lower = segment.start!.microsecondsSinceEpoch + offset
            }
            if !matchesEveryHour, let start = segment.start, let offsetBefore = segment.utcOffsetBeforeStart {
                let wallStart = start.microsecondsSinceEpoch + offset
                let previousWallEnd = start.microsecondsSinceEpoch + Int64(offsetBefore) * 1_000_000
                if previousWallEnd > wallStart {
                    // Clocks went back: wall times below `previousWallEnd` already happened once.
                    lower = max(lower, previousWallEnd)
                } else if !isFirstSegment, previousWallEnd < wallStart,
                    firstMatchingWallTime(atOrAfter: previousWallEnd, before: wallStart) != nil
                {
                    // Clocks went forward over a matching wall time: fire as they land.
                    return start
                }
            }
            if let wall = firstMatchingWallTime(atOrAfter: lower, before: wallEnd) {
                return Instant(microsecondsSinceEpoch: wall - offset)
            }
            guard let next = zone.segment(after: segment) else { break }
            segment = next
            isFirstSegment = false
        }
        preconditionFailure("crontab \"\(expression)\" found no run after \(instant) in \(zone)")
    }

    /// The next `count` fire instants after `instant`.
    public func nextRuns(after instant: Instant, count: Int, in zone: TimeZoneRules = .utc) -> [Instant] {
        var result: [Instant] = []
        var cursor = instant
        for _ in 0..<max(count, 0) {
            cursor = nextRun(after: cursor, in: zone)
            result.append(cursor)
        }
        return result
    }

    /// The first whole wall-clock minute at or after `lower` and before `upper` (microseconds on the
    /// wall-clock scale of `CivilDateTime.wallMicroseconds`) that matches every field; nil if none.
    func firstMatchingWallTime(atOrAfter lower: Int64, before upper: Int64?) -> Int64? {
        let microsPerMinute: Int64 = 60_000_000
        let start = -((-lower).floorDivided(by: microsPerMinute))  // ceiling
        // A minute m is before `upper` when m * 60 s < upper, i.e. m < ceil(upper / 60 s).
        let end = upper.map { -((-$0).floorDivided(by: microsPerMinute)) }
        let startDay = start.floorDivided(by: 1440)
        let date = CivilDate(daysSinceEpoch: startDay)
        var year = date.year
        var month = date.month
        var day = date.day
        var hour = Int(start.floorModulo(1440)) / 60
        var minute = Int(start.floorModulo(1440)) % 60
        var firstOfMonth = startDay - Int64(day - 1)

        // Each pass moves to a later month, day, hour or minute; months without a match are skipped
        // whole, so even a 29 February on a Monday is a few hundred passes at most.
        for _ in 0..<100_000 {
            let position = (firstOfMonth + Int64(day - 1)) * 1440 + Int64(hour * 60 + minute)
            if let end, position >= end { return nil }

            if months & (1 << UInt64(month)) == 0 {
                let later = months & ~((1 << UInt64(month + 1)) - 1)
                if later != 0 {
                    month = later.trailingZeroBitCount
                } else {
                    year += 1
                    month = months.trailingZeroBitCount
                }
                firstOfMonth = CivilDate(year: year, month: month, day: 1).daysSinceEpoch
                (day, hour, minute) = (1, 0, 0)
                continue
            }
            let length = CivilDate.daysIn(month: month, year: year)
            let firstWeekday = Int((firstOfMonth + 4).floorModulo(7))
            let days = daysOfMonth & Self.daysFalling(on: weekdays, firstWeekday: firstWeekday)
                & Self.daysUpTo(length) & ~((1 << UInt64(day)) - 1)
            if days == 0 {
                firstOfMonth += Int64(length)
                if month == 12 {
                    (year, month) = (year + 1, 1)
                } else {
                    month += 1
                }
                (day, hour, minute) = (1, 0, 0)
                continue
            }
            let nextDay = days.trailingZeroBitCount
            if nextDay != day {
                (day, hour, minute) = (nextDay, 0, 0)
            }
            let laterHours = hours & ~((1 << UInt64(hour)) - 1)
            if laterHours == 0 {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            let nextHour = laterHours.trailingZeroBitCount
            if nextHour != hour {
                (hour, minute) = (nextHour, 0)
            }
            let laterMinutes = minutes & ~((1 << UInt64(minute)) - 1)
            if laterMinutes == 0 {
                if hour == 23 {
                    (day, hour, minute) = (day + 1, 0, 0)
                } else {
                    (hour, minute) = (hour + 1, 0)
                }
                continue
            }
            minute = laterMinutes.trailingZeroBitCount
            let found = (firstOfMonth + Int64(day - 1)) * 1440 + Int64(hour * 60 + minute)
            if let end, found >= end { return nil }
            return found * microsPerMinute
        }
        return nil
    }

    /// Bits 1...31 for the days of a month whose first day is `firstWeekday` that fall on a weekday in
    /// `weekdays` (bit 0 = Sunday).
    static func daysFalling(on weekdays: UInt64, firstWeekday: Int) -> UInt64 {
        // Day d falls on weekday (firstWeekday + d - 1) % 7: rotate the week so bit 0 is day 1.
        let week = ((weekdays >> UInt64(firstWeekday)) | (weekdays << UInt64(7 - firstWeekday))) & 0x7F
        let pattern = week << 1
        return pattern | pattern << 7 | pattern << 14 | pattern << 21 | pattern << 28
    }
}
