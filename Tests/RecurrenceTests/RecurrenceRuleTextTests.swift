import CivilTime
import Recurrence
import Testing
import TestSupport

/// RFC 5545 text, and the engine on fixed instants in a zone with DST (the pinned tz database).
@Suite struct RecurrenceRuleTextTests {
    static let january1 = CivilDateTime(year: 2026, month: 1, day: 1)

    @Test func theLastFridayOfEachMonthOnTheBeatsClock() throws {
        let (rule, start) = try RecurrenceRule.parse("DTSTART:20260101T170000\nRRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", defaultStart: Self.january1)
        #expect(start == .wallTime)
        let paris = try PinnedTzdata.zone("Europe/Paris")
        let fires = rule.occurrences(after: Instant(secondsSinceEpoch: 0), limit: 5, in: paris).map(paris.iso8601)
        #expect(fires == ["2026-01-30T17:00:00+01:00", "2026-02-27T17:00:00+01:00", "2026-03-27T17:00:00+01:00"])
    }

    @Test func aDailyRuleKeepsItsWallTimeAcrossTheSpringGapAsDateutilDoes() throws {
        // 02:30 does not exist on 8 March 2026 in New York: dateutil reads it with the offset
        // before the jump (fold=0), 07:30 UTC, which the wall shows as 03:30.
        let (rule, _) = try RecurrenceRule.parse("DTSTART:20260307T023000\nRRULE:FREQ=DAILY", defaultStart: Self.january1)
        let newYork = try PinnedTzdata.zone("America/New_York")
        let fires = rule.occurrences(after: Instant(secondsSinceEpoch: 1_772_800_000), limit: 3, in: newYork).map(newYork.iso8601)
        #expect(fires == ["2026-03-07T02:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"])
    }

    @Test func untilInUTCEndsTheRuleAndTheBareValueIsRead() throws {
        let (rule, start) = try RecurrenceRule.parse(
            "DTSTART:20260105T090000Z\nFREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20260116T000000Z", defaultStart: Self.january1)
        #expect(start == .utc)
        let fires = rule.occurrences(after: Instant(secondsSinceEpoch: 0), limit: 9, in: .utc).map(TimeZoneRules.utc.iso8601)
        #expect(fires == ["2026-01-05T09:00:00+00:00", "2026-01-08T09:00:00+00:00"])
    }

    @Test(arguments: [
        ("RRULE:FREQ=FORTNIGHTLY", "rrule FREQ: \"FORTNIGHTLY\" is not YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, MINUTELY or SECONDLY"),
        ("RRULE:FREQ=WEEKLY;BYDAY=XX", "rrule BYDAY: \"XX\" is not a weekday (MO, TU, WE, TH, FR, SA, SU)"),
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=32", "rrule BYMONTHDAY: 32 is outside -31...31 or 0"),
        ("RRULE:FREQ=DAILY;BYFOO=1", "rrule BYFOO: not an RRULE part this beat reads"),
        ("DTSTART;TZID=Europe/Paris:20260101T090000\nRRULE:FREQ=DAILY", "rrule DTSTART: TZID is not supported; write the time on the beat's clock or in UTC with Z"),
        ("RRULE:FREQ=HOURLY;INTERVAL=2;BYHOUR=1", "rrule INTERVAL: every 2 hourly from 2026-01-01T00:00:00 never reaches the BYHOUR/BYMINUTE/BYSECOND times"),
    ])
    func badTextIsOneLineNamingThePart(text: String, message: String) {
        #expect(throws: RecurrenceError.self) { try RecurrenceRule.parse(text, defaultStart: Self.january1) }
        do {
            _ = try RecurrenceRule.parse(text, defaultStart: Self.january1)
        } catch {
            #expect(error.description == message)
        }
    }

    /// Found by `scripts/fuzz rrule`: `FREQ=HOURLY;INTERVAL=1013505050000003` trapped (an overflow
    /// in the period arithmetic) when asked for its occurrences.
    @Test("An INTERVAL longer than 10,000 years is refused with one line; the longest one still evaluates")
    func intervalsBeyondTheCalendarAreRefused() throws {
        do {
            _ = try RecurrenceRule.parse("RRULE:FREQ=HOURLY;INTERVAL=1013505050000003", defaultStart: Self.january1)
            Issue.record("an INTERVAL of 10^15 hours was accepted")
        } catch {
            #expect(error.description == "rrule INTERVAL: 1013505050000003 is longer than 10,000 years of hourly periods (87658200)")
        }
        for (frequency, longest) in [("YEARLY", 10_000), ("DAILY", 3_652_425), ("SECONDLY", 315_569_520_000)] {
            let (rule, _) = try RecurrenceRule.parse("RRULE:FREQ=\(frequency);INTERVAL=\(longest)", defaultStart: Self.january1)
            let fires = rule.occurrences(after: Instant(secondsSinceEpoch: 0), limit: 3, in: .utc).map(TimeZoneRules.utc.iso8601)
            #expect(fires == ["2026-01-01T00:00:00+00:00"])
            #expect(throws: RecurrenceError.self) {
                try RecurrenceRule.parse("RRULE:FREQ=\(frequency);INTERVAL=\(longest + 1)", defaultStart: Self.january1)
            }
        }
    }

    /// Found by `scripts/fuzz redbeat-entry`: a RedBeat rrule of `freq` 5 (minutely) with
    /// `bysetpos` [41] walked every Monday minute to year 9999 (over a minute of CPU) to say "none".
    @Test("A sub-daily rule whose BYSETPOS is beyond every period's candidates has no occurrence, found at once")
    func subDailySetPositionsBeyondThePeriod() throws {
        let monday = "DTSTART:20260105T093000\nRRULE:FREQ=MINUTELY;BYDAY=MO;"
        let (never, _) = try RecurrenceRule.parse(monday + "BYSETPOS=41", defaultStart: Self.january1)
        #expect(never.occurrences(after: Instant(secondsSinceEpoch: 0), limit: 3, in: .utc).isEmpty)
        let (hourly, _) = try RecurrenceRule.parse(
            "DTSTART:20260105T093000\nRRULE:FREQ=HOURLY;BYMINUTE=0,30;BYSECOND=0,1;BYSETPOS=5", defaultStart: Self.january1)
        #expect(hourly.occurrences(after: Instant(secondsSinceEpoch: 0), limit: 3, in: .utc).isEmpty)
        // Within the period's candidates, positions still select (the last two seconds of each minute).
        let (within, _) = try RecurrenceRule.parse(monday + "BYSECOND=0,20,40;BYSETPOS=-1,-2", defaultStart: Self.january1)
        let fires = within.occurrences(after: Instant(secondsSinceEpoch: 0), limit: 3, in: .utc).map(TimeZoneRules.utc.iso8601)
        #expect(fires == ["2026-01-05T09:30:20+00:00", "2026-01-05T09:30:40+00:00", "2026-01-05T09:31:20+00:00"])
    }
}
