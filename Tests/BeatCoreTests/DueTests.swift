import BeatCore
import CivilTime
import TestSupport
import Testing

/// Celery's due-ness: `Schedule.nextDue(lastRunAt:now:in:startingDeadline:)` with an injected clock.
@Suite struct DueTests {
    private let quarterHourly = Schedule.crontab(try! CrontabSchedule(minute: "*/15"))
    private let nineDaily = Schedule.crontab(try! CrontabSchedule(minute: 0, hour: 9))
    private let thirtySeconds = Schedule.interval(try! IntervalSchedule(every: 30))

    @Test func aNewEntryCountsAsRunWhenFirstSeen() {
        let firstSeen = utc(2026, 1, 1, 10, 7, 12)
        // An interval fires one interval later, a crontab at its next slot: nothing fires at start.
        #expect(thirtySeconds.nextDue(lastRunAt: firstSeen, now: firstSeen) == utc(2026, 1, 1, 10, 7, 42))
        #expect(quarterHourly.nextDue(lastRunAt: firstSeen, now: firstSeen) == utc(2026, 1, 1, 10, 15))
        #expect(!quarterHourly.isDue(lastRunAt: firstSeen, now: firstSeen))
    }

    @Test func askedAtTheAnswerItIsDue() {
        let last = utc(2026, 1, 1, 10, 0)
        for schedule in [quarterHourly, nineDaily, thirtySeconds] {
            let due = schedule.nextDue(lastRunAt: last, now: last)
            #expect(schedule.isDue(lastRunAt: last, now: due))
            #expect(!schedule.isDue(lastRunAt: last, now: due - Microseconds(1)))
        }
    }

    @Test func missedSlotsFireOnceAfterDowntime() {
        // Down from 10:00 to 13:07: twelve quarter-hours were missed.
        let last = utc(2026, 1, 1, 10, 0)
        let now = utc(2026, 1, 1, 13, 7)
        let due = quarterHourly.nextDue(lastRunAt: last, now: now)
        #expect(due == utc(2026, 1, 1, 10, 15))  // <= now: due now, once
        // Firing records now as the last run; the next is the next slot, not the next missed one.
        #expect(quarterHourly.nextDue(lastRunAt: now, now: now) == utc(2026, 1, 1, 13, 15))
        // The same for intervals: one run, then every 30 s from then on.
        #expect(thirtySeconds.isDue(lastRunAt: last, now: now))
        #expect(thirtySeconds.nextDue(lastRunAt: now, now: now) == now + .seconds(30))
    }

    @Test func startingDeadlineSkipsStaleCrontabCatchUps() {
        let last = utc(2026, 1, 5, 9)  // Monday 09:00
        let now = utc(2026, 1, 7, 10, 30)  // Wednesday 10:30: the 09:00 slots of Tuesday and Wednesday were missed
        let hour = Microseconds.seconds(3600)
        // The latest missed slot (Wednesday 09:00) is 90 minutes old: with a one-hour deadline it is
        // skipped and the entry waits for Thursday, keeping its last run.
        #expect(nineDaily.nextDue(lastRunAt: last, now: now, startingDeadline: hour) == utc(2026, 1, 8, 9))
        // With two hours it is within the deadline: due now.
        #expect(nineDaily.isDue(lastRunAt: last, now: now, startingDeadline: .seconds(7200)))
        // Exactly at the deadline counts as within it (Celery 5.7).
        #expect(nineDaily.isDue(lastRunAt: last, now: utc(2026, 1, 7, 10), startingDeadline: hour))
        #expect(!nineDaily.isDue(lastRunAt: last, now: utc(2026, 1, 7, 10) + Microseconds(1), startingDeadline: hour))
        // Without a deadline: due.
        #expect(nineDaily.isDue(lastRunAt: last, now: now))
        // At Thursday 09:00 the skipped entry is due again, its slot being fresh.
        #expect(nineDaily.isDue(lastRunAt: last, now: utc(2026, 1, 8, 9), startingDeadline: hour))
        // A slot reached on time is never skipped, whatever the deadline.
        #expect(nineDaily.isDue(lastRunAt: last, now: utc(2026, 1, 6, 9), startingDeadline: .seconds(0)))
    }

    @Test func startingDeadlineDoesNotApplyToIntervals() {
        let last = utc(2026, 1, 1)
        #expect(thirtySeconds.isDue(lastRunAt: last, now: utc(2026, 2, 1), startingDeadline: .seconds(1)))
    }

    @Test func aLastRunInTheFutureWaitsForTheNextSlotAfterIt() {
        // The clock went back an hour after a run at 11:00.
        #expect(quarterHourly.nextDue(lastRunAt: utc(2026, 1, 1, 11), now: utc(2026, 1, 1, 10)) == utc(2026, 1, 1, 11, 15))
    }

    @Test func dueInTheEntrysZone() throws {
        let newYork = try PinnedTzdata.zone("America/New_York")
        #expect(nineDaily.nextDue(lastRunAt: utc(2026, 1, 1), now: utc(2026, 1, 1), in: newYork) == utc(2026, 1, 1, 14))
    }

    @Test func nextRunsForTheCommandLine() throws {
        let start = utc(2026, 3, 8, 6, 40)
        let newYork = try PinnedTzdata.zone("America/New_York")
        #expect(
            quarterHourly.nextRunsISO8601(after: start, count: 3, in: newYork)
                == ["2026-03-08T01:45:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:15:00-04:00"])
        #expect(thirtySeconds.nextRuns(after: start, count: 2) == [start + .seconds(30), start + .seconds(60)])
        #expect(thirtySeconds.nextRuns(after: start, count: 0).isEmpty)
        let relative = Schedule.interval(try IntervalSchedule(every: 1, period: .hours, relative: true))
        #expect(relative.nextRuns(after: utc(2026, 1, 1, 10, 17), count: 2) == [utc(2026, 1, 1, 11), utc(2026, 1, 1, 12)])
    }
}
