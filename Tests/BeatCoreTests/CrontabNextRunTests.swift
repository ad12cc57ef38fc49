import BeatCore
import CivilTime
import Testing

/// A UTC instant from wall-clock fields.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Instant {
    CivilDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second).instant()
}

/// Next-run arithmetic on the calendar, in UTC (no DST): see `DaylightSavingTests` for zones.
@Suite struct CrontabNextRunTests {
    private func runs(_ expression: String, after start: Instant, count: Int) throws -> [Instant] {
        try CrontabSchedule(fromString: expression).nextRuns(after: start, count: count)
    }

    @Test func everyMinuteIsStrictlyAfterAndIgnoresSeconds() throws {
        #expect(try runs("* * * * *", after: utc(2026, 1, 1, 10, 0), count: 2) == [utc(2026, 1, 1, 10, 1), utc(2026, 1, 1, 10, 2)])
        #expect(try runs("* * * * *", after: utc(2026, 1, 1, 10, 0, 59), count: 1) == [utc(2026, 1, 1, 10, 1)])
        let justBefore = utc(2026, 1, 1, 10, 1) - Microseconds(1)
        #expect(try runs("* * * * *", after: justBefore, count: 1) == [utc(2026, 1, 1, 10, 1)])
    }

    @Test func stepsHoursAndDays() throws {
        #expect(
            try runs("*/15 * * * *", after: utc(2026, 1, 1, 10, 7), count: 4)
                == [utc(2026, 1, 1, 10, 15), utc(2026, 1, 1, 10, 30), utc(2026, 1, 1, 10, 45), utc(2026, 1, 1, 11)])
        #expect(try runs("30 7 * * *", after: utc(2026, 1, 1, 7, 30), count: 2) == [utc(2026, 1, 2, 7, 30), utc(2026, 1, 3, 7, 30)])
        #expect(
            try runs("*/15 9-17 * * mon-fri", after: utc(2026, 1, 2, 17, 40), count: 3)  // a Friday
                == [utc(2026, 1, 2, 17, 45), utc(2026, 1, 5, 9), utc(2026, 1, 5, 9, 15)])
    }

    @Test func dayFieldsCombineWithAndNotCronsOr() throws {
        // Celery's own example: the first and third Monday of each month.
        let crontab = try CrontabSchedule(minute: 0, hour: 9, dayOfWeek: 1, dayOfMonth: "1-7,15-21")
        #expect(
            crontab.nextRuns(after: utc(2026, 1, 1), count: 6)
                == [utc(2026, 1, 5, 9), utc(2026, 1, 19, 9), utc(2026, 2, 2, 9), utc(2026, 2, 16, 9), utc(2026, 3, 2, 9), utc(2026, 3, 16, 9)])
        // Friday the 13th.
        #expect(try runs("0 0 13 * fri", after: utc(2026, 1, 1), count: 3) == [utc(2026, 2, 13), utc(2026, 3, 13), utc(2026, 11, 13)])
    }

    @Test func wrapAroundRanges() throws {
        #expect(try runs("0 22-1 * * *", after: utc(2026, 1, 1, 12), count: 4) == [utc(2026, 1, 1, 22), utc(2026, 1, 1, 23), utc(2026, 1, 2, 0), utc(2026, 1, 2, 1)])
        #expect(try runs("0 0 * * fri-mon", after: utc(2026, 1, 1), count: 4) == [utc(2026, 1, 2), utc(2026, 1, 3), utc(2026, 1, 4), utc(2026, 1, 5)])
        #expect(try runs("0 0 1 nov-feb *", after: utc(2026, 2, 1), count: 3) == [utc(2026, 11, 1), utc(2026, 12, 1), utc(2027, 1, 1)])
    }

    @Test func leapDaysFireOnlyInLeapYears() throws {
        #expect(try runs("0 0 29 2 *", after: utc(2026, 1, 1), count: 3) == [utc(2028, 2, 29), utc(2032, 2, 29), utc(2036, 2, 29)])
        // 2100 is not a leap year.
        #expect(try runs("0 0 29 2 *", after: utc(2096, 3, 1), count: 1) == [utc(2104, 2, 29)])
        // A 29 February that is also a Monday: years apart.
        #expect(try runs("0 0 29 2 mon", after: utc(2026, 1, 1), count: 3) == [utc(2044, 2, 29), utc(2072, 2, 29), utc(2112, 2, 29)])
    }

    @Test func monthEnds() throws {
        #expect(
            try runs("0 0 31 * *", after: utc(2026, 1, 31), count: 6)
                == [utc(2026, 3, 31), utc(2026, 5, 31), utc(2026, 7, 31), utc(2026, 8, 31), utc(2026, 10, 31), utc(2026, 12, 31)])
        #expect(try runs("0 0 30 * *", after: utc(2026, 1, 30), count: 2) == [utc(2026, 3, 30), utc(2026, 4, 30)])
        #expect(try runs("59 23 31 12 *", after: utc(2026, 12, 31, 23, 59), count: 1) == [utc(2027, 12, 31, 23, 59)])
        #expect(try runs("* * * * *", after: utc(2026, 12, 31, 23, 59), count: 1) == [utc(2027, 1, 1)])
    }

    @Test func instantsBeforeTheEpoch() throws {
        #expect(try runs("0 12 * * *", after: utc(1969, 12, 31, 13), count: 1) == [utc(1970, 1, 1, 12)])
    }

    @Test func matchesChecksEveryField() throws {
        let crontab = try CrontabSchedule(fromString: "30 7 1-7 * mon")
        #expect(crontab.matches(CivilDateTime(year: 2026, month: 1, day: 5, hour: 7, minute: 30)))
        #expect(!crontab.matches(CivilDateTime(year: 2026, month: 1, day: 12, hour: 7, minute: 30)))  // Monday, but the 12th
        #expect(!crontab.matches(CivilDateTime(year: 2026, month: 1, day: 6, hour: 7, minute: 30)))  // the 6th, but Tuesday
    }
}
