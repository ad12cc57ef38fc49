import BeatCore
import CivilTime
import TestSupport
import Testing

@Suite struct IntervalScheduleTests {
    @Test(arguments: [
        (1.0, IntervalSchedule.Period.microseconds, Int64(1)),
        (250, .microseconds, 250),
        (1.5, .milliseconds, 1500),
        (0.5, .seconds, 500_000),
        (30, .seconds, 30_000_000),
        (1.5, .seconds, 1_500_000),
        (0.1, .seconds, 100_000),
        (15, .minutes, 900_000_000),
        (5.5, .hours, 19_800_000_000),
        (1.5, .days, 129_600_000_000),
        (2, .weeks, 1_209_600_000_000),
        (0.0000015, .seconds, 2),  // 1.5 µs rounds half to even, as timedelta does
        (0.0000025, .seconds, 2),
    ] as [(Double, IntervalSchedule.Period, Int64)])
    func periodsFromMicrosecondsToWeeks(every: Double, period: IntervalSchedule.Period, micros: Int64) throws {
        #expect(try IntervalSchedule(every: every, period: period).duration == Microseconds(micros))
    }

    @Test func integersAreExact() throws {
        #expect(try IntervalSchedule(every: 30).duration == .seconds(30))
        #expect(try IntervalSchedule(every: 9_007_199_254, period: .microseconds).duration == Microseconds(9_007_199_254))
    }

    @Test func dueEveryAfterTheLastRunInAbsoluteTime() throws {
        let interval = try IntervalSchedule(every: 1, period: .hours)
        let newYork = try PinnedTzdata.zone("America/New_York")
        // 01:30 EDT + 1 h is 01:30 EST, not 02:30 on the wall clock.
        #expect(interval.nextDue(lastRunAt: utc(2026, 11, 1, 5, 30), in: newYork) == utc(2026, 11, 1, 6, 30))
        #expect(interval.nextDue(lastRunAt: utc(2026, 3, 8, 6, 30), in: newYork) == utc(2026, 3, 8, 7, 30))
    }

    @Test(arguments: [
        // every, period, last run (UTC), expected due (UTC): Celery's delta_resolution, in UTC
        (1.0, IntervalSchedule.Period.hours, utc(2026, 1, 1, 10, 17, 33), utc(2026, 1, 1, 11)),
        (90, .minutes, utc(2026, 1, 1, 10, 17, 33), utc(2026, 1, 1, 11)),
        (10, .minutes, utc(2026, 1, 1, 10, 17, 33), utc(2026, 1, 1, 10, 27)),
        (30, .seconds, utc(2026, 1, 1, 10, 0, 10) + Microseconds(500_000), utc(2026, 1, 1, 10, 0, 40)),
        (1, .days, utc(2026, 1, 1, 10, 17, 33), utc(2026, 1, 2)),
        (1, .weeks, utc(2026, 1, 1, 10, 17, 33), utc(2026, 1, 8)),
    ] as [(Double, IntervalSchedule.Period, Instant, Instant)])
    func relativeRoundsDownToTheResolution(every: Double, period: IntervalSchedule.Period, last: Instant, due: Instant) throws {
        #expect(try IntervalSchedule(every: every, period: period, relative: true).nextDue(lastRunAt: last) == due)
    }

    @Test func relativeRoundsOnTheZonesWallClock() throws {
        let kolkata = try PinnedTzdata.zone("Asia/Kolkata")
        let hourly = try IntervalSchedule(every: 1, period: .hours, relative: true)
        // 10:17 IST + 1 h rounds to 11:00 IST, which is 05:30Z, not a whole UTC hour.
        #expect(hourly.nextDue(lastRunAt: utc(2026, 1, 1, 4, 47), in: kolkata) == utc(2026, 1, 1, 5, 30))
        let daily = try IntervalSchedule(every: 1, period: .days, relative: true)
        #expect(daily.nextDue(lastRunAt: utc(2026, 1, 1, 4, 47), in: kolkata) == utc(2026, 1, 1, 18, 30))
        // Across spring-forward, daily relative stays at local midnight (calendar days).
        let newYork = try PinnedTzdata.zone("America/New_York")
        #expect(daily.nextDue(lastRunAt: utc(2026, 3, 8, 5), in: newYork) == utc(2026, 3, 9, 4))
    }

    @Test(arguments: [
        (-5.0, IntervalSchedule.Period.seconds, "interval every: -5.0 must be positive"),
        (0, .seconds, "interval every: 0.0 must be positive"),
        (.nan, .seconds, "interval every: nan is not a finite number"),
        (.infinity, .minutes, "interval every: inf is not a finite number"),
        (1e-9, .seconds, "interval every: 1e-09 seconds is shorter than a microsecond"),
        (1e12, .weeks, "interval every: 1000000000000.0 weeks is too long"),
    ] as [(Double, IntervalSchedule.Period, String)])
    func nonPositiveOrNonFiniteIntervalsAreErrors(every: Double, period: IntervalSchedule.Period, message: String) {
        let error = #expect(throws: ScheduleError.self) { try IntervalSchedule(every: every, period: period) }
        #expect(error?.description == message)
        #expect(error?.field == "every")
    }

    @Test func integerErrorsShowTheInteger() {
        let error = #expect(throws: ScheduleError.self) { try IntervalSchedule(every: -5) }
        #expect(error?.description == "interval every: -5 must be positive")
        let period = #expect(throws: ScheduleError.self) { try IntervalSchedule.period(named: "fortnights") }
        #expect(
            period?.description
                == "interval period: \"fortnights\" is not one of weeks, days, hours, minutes, seconds, milliseconds, microseconds")
    }

    /// Found by `scripts/fuzz interval`: the second run trapped adding the interval again.
    @Test("An interval of 190,000 years has its next runs at the end of time instead of trapping")
    func intervalNearTheSpanOfAnInstant() throws {
        let schedule = try Schedule(json: StoredSchedule.interval(fromDuration: "6010000010000"))
        let start = Instant(secondsSinceEpoch: 1_774_000_000)
        let runs = schedule.nextRuns(after: start, count: 3)
        #expect(runs.first == start + .seconds(6_010_000_010_000))
        #expect(runs.dropFirst().allSatisfy { $0 == Instant(microsecondsSinceEpoch: .max) })
    }
}
