import CivilTime
import TestSupport
import Testing

/// Instants from a UTC wall time, for readable expectations.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Instant {
    CivilDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second).instant()
}

/// The repository's `Fixtures/` folder, found from this file's path.
let fixturesDirectory: String = {
    var path = #filePath
    for _ in 0..<3 {
        path = String(path[..<path.lastIndex(of: "/")!])
    }
    return path + "/Fixtures"
}()

@Suite struct TimeZoneRulesTests {
    @Test func utcNeedsNoDatabase() throws {
        let zone = try TimeZoneRules.load(identifier: "UTC", directory: "/nonexistent")
        #expect(zone.utcOffset(at: utc(2026, 7, 1)) == 0)
        #expect(zone.segment(containing: utc(2026, 7, 1)) == .init(start: nil, end: nil, utcOffsetSeconds: 0, utcOffsetBeforeStart: nil))
        #expect(try TimeZoneRules.load(identifier: "Etc/UTC", directory: "/nonexistent").utcOffset(at: utc(1900, 1, 1)) == 0)
    }

    @Test(arguments: [
        // zone, UTC instant, expected offset in seconds
        ("America/New_York", utc(2026, 3, 8, 6, 59, 59), -5 * 3600),
        ("America/New_York", utc(2026, 3, 8, 7), -4 * 3600),
        ("America/New_York", utc(2026, 11, 1, 5, 59, 59), -4 * 3600),
        ("America/New_York", utc(2026, 11, 1, 6), -5 * 3600),
        ("America/New_York", utc(1883, 11, 18, 16, 59, 59), -17_762),  // local mean time before railway time
        ("America/New_York", utc(1945, 8, 14, 23), -4 * 3600),  // "Peace Time"
        ("Europe/London", utc(2026, 3, 29, 0, 59, 59), 0),
        ("Europe/London", utc(2026, 3, 29, 1), 3600),
        ("Europe/London", utc(2026, 10, 25, 0, 59, 59), 3600),
        ("Europe/London", utc(2026, 10, 25, 1), 0),
        ("Europe/London", utc(1970, 6, 1), 3600),  // British Standard Time, +1 all year 1968-1971
        ("Australia/Lord_Howe", utc(2026, 4, 4, 14, 59, 59), 11 * 3600),
        ("Australia/Lord_Howe", utc(2026, 4, 4, 15), 10 * 3600 + 1800),
        ("Australia/Lord_Howe", utc(2026, 10, 3, 15, 29, 59), 10 * 3600 + 1800),
        ("Australia/Lord_Howe", utc(2026, 10, 3, 15, 30), 11 * 3600),
        ("Asia/Kolkata", utc(2026, 1, 1), 5 * 3600 + 1800),
        ("Asia/Kolkata", utc(2026, 7, 1), 5 * 3600 + 1800),
        ("Asia/Kathmandu", utc(2026, 7, 1), 5 * 3600 + 2700),
        ("America/St_Johns", utc(2026, 7, 1), -(2 * 3600 + 1800)),
        ("America/Sao_Paulo", utc(2026, 1, 15), -3 * 3600),  // DST abolished in 2019
        ("Pacific/Apia", utc(2011, 12, 30, 9, 59, 59), -10 * 3600),  // the day Samoa skipped
        ("Pacific/Apia", utc(2011, 12, 30, 10), 14 * 3600),
        // Beyond 2037 the file lists nothing: the footer rule alone decides.
        ("America/New_York", utc(2100, 3, 14, 6, 59, 59), -5 * 3600),
        ("America/New_York", utc(2100, 3, 14, 7), -4 * 3600),
        ("Europe/London", utc(2100, 10, 31, 0, 59, 59), 3600),
        ("Europe/London", utc(2100, 10, 31, 1), 0),
        ("Australia/Lord_Howe", utc(2100, 10, 2, 15, 30), 11 * 3600),
        // Beyond the table (2200): evaluated from the rule on the fly.
        ("America/New_York", utc(2500, 3, 14, 6, 59, 59), -5 * 3600),
        ("America/New_York", utc(2500, 3, 14, 7), -4 * 3600),
        ("Australia/Lord_Howe", utc(2500, 4, 3, 15), 10 * 3600 + 1800),
    ] as [(String, Instant, Int)])
    func offsetsAtKnownInstants(zone: String, instant: Instant, offset: Int) throws {
        #expect(try PinnedTzdata.zone(zone).utcOffset(at: instant) == offset)
    }

    @Test func segmentsBracketTheTransitions() throws {
        let newYork = try PinnedTzdata.zone("America/New_York")
        let summer = newYork.segment(containing: utc(2026, 7, 1))
        #expect(summer.start == utc(2026, 3, 8, 7))
        #expect(summer.end == utc(2026, 11, 1, 6))
        #expect(summer.utcOffsetSeconds == -4 * 3600)
        #expect(summer.utcOffsetBeforeStart == -5 * 3600)
        let next = try #require(newYork.segment(after: summer))
        #expect(next.start == utc(2026, 11, 1, 6))
        #expect(next.end == utc(2027, 3, 14, 7))
        #expect(next.utcOffsetBeforeStart == -4 * 3600)

        let far = newYork.segment(containing: utc(2600, 1, 1))
        #expect(far.start == utc(2599, 11, 3, 6))
        #expect(far.end == utc(2600, 3, 9, 7))
        #expect(far.utcOffsetBeforeStart == -4 * 3600)

        let kolkata = try PinnedTzdata.zone("Asia/Kolkata")
        let now = kolkata.segment(containing: utc(2026, 7, 1))
        #expect(now.end == nil)
        #expect(now.utcOffsetSeconds == 19_800)
    }

    @Test func transitionsInARange() throws {
        let london = try PinnedTzdata.zone("Europe/London")
        let transitions = london.transitions(in: utc(2026, 1, 1)..<utc(2027, 1, 1))
        #expect(transitions.map(\.instant) == [utc(2026, 3, 29, 1), utc(2026, 10, 25, 1)])
        #expect(transitions.map(\.utcOffsetAfter) == [3600, 0])
        #expect(london.transition(after: utc(2026, 3, 29, 1))?.instant == utc(2026, 10, 25, 1))
    }

    @Test func wallTimesOccurOnceTwiceOrNever() throws {
        let newYork = try PinnedTzdata.zone("America/New_York")
        #expect(newYork.occurrences(of: CivilDateTime(year: 2026, month: 7, day: 1, hour: 9)) == .once(utc(2026, 7, 1, 13)))
        #expect(
            newYork.occurrences(of: CivilDateTime(year: 2026, month: 11, day: 1, hour: 1, minute: 30))
                == .twice(utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)))
        let skipped = newYork.occurrences(of: CivilDateTime(year: 2026, month: 3, day: 8, hour: 2, minute: 30))
        #expect(skipped == .never(skippedBy: .init(instant: utc(2026, 3, 8, 7), utcOffsetBefore: -18_000, utcOffsetAfter: -14_400)))
        #expect(skipped.instants.isEmpty)
        // The edges: 02:00 is skipped, 03:00 exists; 01:00 repeats, 02:00 (standard) occurs once.
        #expect(newYork.occurrences(of: CivilDateTime(year: 2026, month: 3, day: 8, hour: 2)).instants.isEmpty)
        #expect(newYork.occurrences(of: CivilDateTime(year: 2026, month: 3, day: 8, hour: 3)) == .once(utc(2026, 3, 8, 7)))
        #expect(newYork.occurrences(of: CivilDateTime(year: 2026, month: 11, day: 1, hour: 1)).instants.count == 2)
        #expect(newYork.occurrences(of: CivilDateTime(year: 2026, month: 11, day: 1, hour: 2)) == .once(utc(2026, 11, 1, 7)))

        let lordHowe = try PinnedTzdata.zone("Australia/Lord_Howe")
        #expect(
            lordHowe.occurrences(of: CivilDateTime(year: 2026, month: 4, day: 5, hour: 1, minute: 45))
                == .twice(utc(2026, 4, 4, 14, 45), utc(2026, 4, 4, 15, 15)))
        #expect(lordHowe.occurrences(of: CivilDateTime(year: 2026, month: 10, day: 4, hour: 2, minute: 15)).instants.isEmpty)
        #expect(lordHowe.occurrences(of: CivilDateTime(year: 2026, month: 10, day: 4, hour: 2, minute: 30)) == .once(utc(2026, 10, 3, 15, 30)))

        // A whole day that never happened in Samoa.
        let apia = try PinnedTzdata.zone("Pacific/Apia")
        #expect(apia.occurrences(of: CivilDateTime(year: 2011, month: 12, day: 30, hour: 12)).instants.isEmpty)
    }

    @Test func isoFormatUsesTheLocalOffset() throws {
        let kolkata = try PinnedTzdata.zone("Asia/Kolkata")
        #expect(kolkata.iso8601(utc(2026, 1, 1, 3, 30)) == "2026-01-01T09:00:00+05:30")
        #expect(kolkata.wallTime(at: utc(2026, 1, 1, 3, 30)) == CivilDateTime(year: 2026, month: 1, day: 1, hour: 9))
    }

    @Test func slimFilesRelyOnTheFooter() throws {
        let directory = fixturesDirectory + "/schedules/tzif"
        let newYork = try TimeZoneRules.load(identifier: "Test/Slim_New_York", directory: directory)
        let real = try PinnedTzdata.zone("America/New_York")  // fat: every transition to 2037 listed
        for year in [2008, 2026, 2037, 2038, 2100, 2199, 2200, 2201, 2401] {
            for instant in [utc(year, 1, 1), utc(year, 3, 9, 12), utc(year, 7, 1), utc(year, 11, 8)] {
                #expect(newYork.utcOffset(at: instant) == real.utcOffset(at: instant), "\(instant)")
                #expect(newYork.segment(containing: instant) == real.segment(containing: instant), "\(instant)")
            }
        }
        let lordHowe = try TimeZoneRules.load(identifier: "Test/Slim_Lord_Howe", directory: directory)
        #expect(lordHowe.utcOffset(at: utc(2100, 10, 2, 15, 29, 59)) == 37_800)
        #expect(lordHowe.utcOffset(at: utc(2100, 10, 2, 15, 30)) == 39_600)
        #expect(lordHowe.utcOffset(at: utc(1990, 1, 1)) == 37_800)  // no rule before 2008 in this test source
    }

    @Test func zoneErrorsNameTheZone() {
        let missing = #expect(throws: TimeZoneError.self) { try TimeZoneRules.load(identifier: "Mars/Olympus_Mons", directory: "/usr/share/zoneinfo") }
        #expect(missing?.description == "unknown time zone \"Mars/Olympus_Mons\": no file /usr/share/zoneinfo/Mars/Olympus_Mons")
        let climbing = #expect(throws: TimeZoneError.self) { try PinnedTzdata.zone("../../etc/passwd") }
        #expect(climbing?.description == "invalid time zone name \"../../etc/passwd\": expected an IANA name such as \"Europe/London\"")
        #expect(throws: TimeZoneError.self) { try PinnedTzdata.zone("") }
        #expect(throws: TimeZoneError.self) { try PinnedTzdata.zone("America") }
        let notTZif = #expect(throws: TimeZoneError.self) { try TimeZoneRules.load(identifier: "slim.zi", directory: fixturesDirectory + "/schedules/tzif") }
        #expect(notTZif?.description.contains("is not a valid TZif file: it does not start with \"TZif\"") == true)
    }

    @Test func tzdirIsHonouredWhenNoDirectoryIsGiven() {
        // Only the default is checked here: changing the environment would race other tests.
        #expect(!TimeZoneRules.defaultDirectory.isEmpty)
    }
}
