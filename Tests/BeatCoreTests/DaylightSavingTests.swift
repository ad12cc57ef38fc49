import BeatCore
import CivilTime
import TestSupport
import Testing

/// The DST rule (cronie's), checked to the exact UTC instant across both transitions of 2026:
/// - every-hour crontabs fire at each instant whose wall time matches (both passes of a repeated
///   hour; nothing in a skipped one);
/// - specific hours fire once at a repeated wall time (its first occurrence), and once as the
///   clocks land for matching wall times swallowed by a gap.
@Suite struct DaylightSavingTests {
    private func runs(_ expression: String, _ zone: String, after start: Instant, count: Int) throws -> [Instant] {
        try CrontabSchedule(fromString: expression).nextRuns(after: start, count: count, in: PinnedTzdata.zone(zone))
    }

    // MARK: America/New_York: 2026-03-08 02:00 EST → 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT → 01:00 EST (06:00Z)

    @Test func newYorkDaily() throws {
        // 09:00 simply follows the clock.
        #expect(try runs("0 9 * * *", "America/New_York", after: utc(2026, 3, 7), count: 3) == [utc(2026, 3, 7, 14), utc(2026, 3, 8, 13), utc(2026, 3, 9, 13)])
        // 02:30 does not exist on 8 March: it fires as the clocks jump, at 03:00 EDT.
        #expect(try runs("30 2 * * *", "America/New_York", after: utc(2026, 3, 7), count: 3) == [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7), utc(2026, 3, 9, 6, 30)])
        // 01:30 happens twice on 1 November: it fires at the first, 01:30 EDT.
        #expect(try runs("30 1 * * *", "America/New_York", after: utc(2026, 10, 31), count: 3) == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)])
        // Started during the second 01:xx, the repeated 01:30 is not run again.
        #expect(try runs("30 1 * * *", "America/New_York", after: utc(2026, 11, 1, 6, 10), count: 1) == [utc(2026, 11, 2, 6, 30)])
    }

    @Test func newYorkHourly() throws {
        // Spring: 01:00 EST, then 03:00 EDT one hour later; there is no 02:00.
        #expect(try runs("0 * * * *", "America/New_York", after: utc(2026, 3, 8, 5, 30), count: 3) == [utc(2026, 3, 8, 6), utc(2026, 3, 8, 7), utc(2026, 3, 8, 8)])
        // Autumn: 01:00 EDT, 01:00 EST, 02:00 EST: still one hour apart.
        #expect(try runs("0 * * * *", "America/New_York", after: utc(2026, 11, 1, 4, 30), count: 3) == [utc(2026, 11, 1, 5), utc(2026, 11, 1, 6), utc(2026, 11, 1, 7)])
        // Specific hours: 01:00 once (EDT), then 02:00 and 03:00 EST.
        #expect(try runs("0 1-3 * * *", "America/New_York", after: utc(2026, 11, 1, 4), count: 3) == [utc(2026, 11, 1, 5), utc(2026, 11, 1, 7), utc(2026, 11, 1, 8)])
    }

    @Test func newYorkEveryFifteenMinutes() throws {
        #expect(try runs("*/15 * * * *", "America/New_York", after: utc(2026, 3, 8, 6, 40), count: 3) == [utc(2026, 3, 8, 6, 45), utc(2026, 3, 8, 7), utc(2026, 3, 8, 7, 15)])
        #expect(
            try runs("*/15 * * * *", "America/New_York", after: utc(2026, 11, 1, 5, 40), count: 4)
                == [utc(2026, 11, 1, 5, 45), utc(2026, 11, 1, 6), utc(2026, 11, 1, 6, 15), utc(2026, 11, 1, 6, 30)])
        // Only in the 02:00 hour: the four swallowed times fire once, at 03:00 EDT; then 02:00 EDT next day.
        #expect(try runs("*/15 2 * * *", "America/New_York", after: utc(2026, 3, 8), count: 2) == [utc(2026, 3, 8, 7), utc(2026, 3, 9, 6)])
        // Only in the 01:00 hour: the first pass fires, the second does not.
        #expect(
            try runs("*/15 1 * * *", "America/New_York", after: utc(2026, 11, 1), count: 5)
                == [utc(2026, 11, 1, 5), utc(2026, 11, 1, 5, 15), utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 5, 45), utc(2026, 11, 2, 6)])
    }

    @Test func newYorkEveryMinute() throws {
        #expect(try runs("* * * * *", "America/New_York", after: utc(2026, 3, 8, 6, 58), count: 2) == [utc(2026, 3, 8, 6, 59), utc(2026, 3, 8, 7)])
        #expect(try runs("* * * * *", "America/New_York", after: utc(2026, 11, 1, 5, 58), count: 3) == [utc(2026, 11, 1, 5, 59), utc(2026, 11, 1, 6), utc(2026, 11, 1, 6, 1)])
    }

    // MARK: Europe/London: 2026-03-29 01:00 GMT → 02:00 BST (01:00Z); 2026-10-25 02:00 BST → 01:00 GMT (01:00Z)

    @Test func londonAcrossBothTransitions() throws {
        let zone = "Europe/London"
        #expect(try runs("30 1 * * *", zone, after: utc(2026, 3, 28), count: 3) == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1), utc(2026, 3, 30, 0, 30)])
        #expect(try runs("30 1 * * *", zone, after: utc(2026, 10, 24, 12), count: 2) == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)])
        #expect(try runs("0 9 * * *", zone, after: utc(2026, 3, 28, 12), count: 2) == [utc(2026, 3, 29, 8), utc(2026, 3, 30, 8)])
        #expect(try runs("0 * * * *", zone, after: utc(2026, 3, 28, 23, 30), count: 3) == [utc(2026, 3, 29, 0), utc(2026, 3, 29, 1), utc(2026, 3, 29, 2)])
        #expect(try runs("0 * * * *", zone, after: utc(2026, 10, 24, 23, 30), count: 3) == [utc(2026, 10, 25, 0), utc(2026, 10, 25, 1), utc(2026, 10, 25, 2)])
        #expect(try runs("*/15 * * * *", zone, after: utc(2026, 10, 25, 0, 40), count: 3) == [utc(2026, 10, 25, 0, 45), utc(2026, 10, 25, 1), utc(2026, 10, 25, 1, 15)])
        #expect(try runs("* * * * *", zone, after: utc(2026, 3, 29, 0, 59), count: 1) == [utc(2026, 3, 29, 1)])
        #expect(try runs("* * * * *", zone, after: utc(2026, 10, 25, 0, 59), count: 1) == [utc(2026, 10, 25, 1)])
    }

    // MARK: Australia/Lord_Howe, 30-minute DST: 2026-04-05 02:00 (+11) → 01:30 (+10:30) at 15:00Z on the 4th;
    //       2026-10-04 02:00 (+10:30) → 02:30 (+11) at 15:30Z on the 3rd.

    @Test func lordHoweHalfHourFallBack() throws {
        let zone = "Australia/Lord_Howe"
        // Hourly: 01:00 (+11) happens once; 01:30-01:59 repeat; the next whole hour is 02:00 (+10:30).
        #expect(try runs("0 * * * *", zone, after: utc(2026, 4, 4, 13, 30), count: 2) == [utc(2026, 4, 4, 14), utc(2026, 4, 4, 15, 30)])
        #expect(
            try runs("*/15 * * * *", zone, after: utc(2026, 4, 4, 14, 40), count: 4)
                == [utc(2026, 4, 4, 14, 45), utc(2026, 4, 4, 15), utc(2026, 4, 4, 15, 15), utc(2026, 4, 4, 15, 30)])
        #expect(try runs("* * * * *", zone, after: utc(2026, 4, 4, 14, 58), count: 2) == [utc(2026, 4, 4, 14, 59), utc(2026, 4, 4, 15)])
        // Daily 01:45 fires at the first of its two occurrences.
        #expect(try runs("45 1 * * *", zone, after: utc(2026, 4, 4), count: 2) == [utc(2026, 4, 4, 14, 45), utc(2026, 4, 5, 15, 15)])
    }

    @Test func lordHoweHalfHourSpringForward() throws {
        let zone = "Australia/Lord_Howe"
        #expect(try runs("15 2 * * *", zone, after: utc(2026, 10, 2), count: 3) == [utc(2026, 10, 2, 15, 45), utc(2026, 10, 3, 15, 30), utc(2026, 10, 4, 15, 15)])
        #expect(try runs("0 * * * *", zone, after: utc(2026, 10, 3, 14), count: 2) == [utc(2026, 10, 3, 14, 30), utc(2026, 10, 3, 16)])
        #expect(try runs("*/15 * * * *", zone, after: utc(2026, 10, 3, 15, 20), count: 2) == [utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 15, 45)])
        #expect(try runs("* * * * *", zone, after: utc(2026, 10, 3, 15, 29), count: 1) == [utc(2026, 10, 3, 15, 30)])
    }

    // MARK: Asia/Kolkata: +05:30 all year

    @Test func kolkataHasNoTransitions() throws {
        let zone = "Asia/Kolkata"
        for (month, day) in [(3, 8), (3, 29), (10, 25), (11, 1)] {
            #expect(try runs("30 2 * * *", zone, after: utc(2026, month, day - 1, 22), count: 1) == [utc(2026, month, day, 21)])
            #expect(try runs("0 * * * *", zone, after: utc(2026, month, day, 1), count: 2) == [utc(2026, month, day, 1, 30), utc(2026, month, day, 2, 30)])
            #expect(try runs("*/15 * * * *", zone, after: utc(2026, month, day, 1, 50), count: 2) == [utc(2026, month, day, 2), utc(2026, month, day, 2, 15)])
            #expect(try runs("* * * * *", zone, after: utc(2026, month, day, 1, 59), count: 1) == [utc(2026, month, day, 2)])
        }
    }

    // MARK: Midnight transitions and whole skipped days

    @Test func santiagoSkipsMidnight() throws {
        // America/Santiago springs forward at 24:00 (2026-09-06 00:00 -04 → 01:00 -03, 04:00Z).
        #expect(try runs("0 0 * * *", "America/Santiago", after: utc(2026, 9, 5), count: 3) == [utc(2026, 9, 5, 4), utc(2026, 9, 6, 4), utc(2026, 9, 7, 3)])
    }

    @Test func samoaSkippedADay() throws {
        // Pacific/Apia went from 2011-12-29 23:59:59 (-10) to 2011-12-31 00:00 (+14): the 30th never was.
        #expect(try runs("0 12 30 12 *", "Pacific/Apia", after: utc(2011, 12, 1), count: 1) == [utc(2011, 12, 30, 10)])
        #expect(
            try runs("0 12 * * *", "Pacific/Apia", after: utc(2011, 12, 29), count: 3)
                == [utc(2011, 12, 29, 22), utc(2011, 12, 30, 10), utc(2011, 12, 30, 22)])
        // Every-hour crontabs: the skipped day has no instants at all.
        #expect(try runs("0 * 30 12 *", "Pacific/Apia", after: utc(2011, 12, 1), count: 1) == [utc(2012, 12, 29, 10)])
    }
}
