import CivilTime
import TestSupport
import Testing

/// The TZ footer rules, evaluated on their own (`TimeZoneRules(posixRule:)`) and inside real zones.
@Suite struct PosixTimeZoneRuleTests {
    private func changes(_ zone: TimeZoneRules, in year: Int) -> [TimeZoneRules.Transition] {
        zone.transitions(in: utc(year, 1, 1)..<utc(year + 1, 1, 1))
    }

    @Test func monthWeekDayRules() throws {
        let zone = try TimeZoneRules(posixRule: "EST5EDT,M3.2.0,M11.1.0")
        #expect(changes(zone, in: 2026).map(\.instant) == [utc(2026, 3, 8, 7), utc(2026, 11, 1, 6)])
        #expect(changes(zone, in: 2026).map(\.utcOffsetAfter) == [-14_400, -18_000])
        // "Week 5" is the last such weekday, whether the month has four or five.
        let europe = try TimeZoneRules(posixRule: "GMT0BST,M3.5.0/1,M10.5.0")
        #expect(changes(europe, in: 2026).map(\.instant) == [utc(2026, 3, 29, 1), utc(2026, 10, 25, 1)])
        #expect(changes(europe, in: 2027).map(\.instant) == [utc(2027, 3, 28, 1), utc(2027, 10, 31, 1)])
    }

    @Test func southernHemisphereAndHalfHourDST() throws {
        let lordHowe = try TimeZoneRules(posixRule: "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0")
        #expect(changes(lordHowe, in: 2026).map(\.instant) == [utc(2026, 4, 4, 15), utc(2026, 10, 3, 15, 30)])
        #expect(lordHowe.utcOffset(at: utc(2026, 1, 1)) == 39_600)
        #expect(lordHowe.utcOffset(at: utc(2026, 7, 1)) == 37_800)
    }

    @Test func zonesWithoutDST() throws {
        let kolkata = try TimeZoneRules(posixRule: "IST-5:30")
        #expect(kolkata.utcOffset(at: utc(2026, 6, 1)) == 19_800)
        #expect(kolkata.segment(containing: utc(2026, 6, 1)).end == nil)
        #expect(try TimeZoneRules(posixRule: "<-0330>3:30").utcOffset(at: utc(1999, 1, 1)) == -12_600)
    }

    @Test func julianDaysNeverCountFebruary29() throws {
        // Iran before 2022: DST from 24:00 on J79 (always March 20) to 24:00 on J263 (always September 20).
        let iran = try TimeZoneRules(posixRule: "<+0330>-3:30<+0430>,J79/24,J263/24")
        for year in [2023, 2024] {
            #expect(changes(iran, in: year).map(\.instant) == [utc(year, 3, 20, 20, 30), utc(year, 9, 20, 19, 30)])
        }
    }

    @Test func zeroBasedDaysCountFebruary29() throws {
        let zone = try TimeZoneRules(posixRule: "<-03>3<-02>,59/0,300/0")
        #expect(changes(zone, in: 2024).first?.instant == utc(2024, 2, 29, 3))  // day 59 of a leap year
        #expect(changes(zone, in: 2025).first?.instant == utc(2025, 3, 1, 3))
    }

    @Test func negativeAndLongRuleTimes() throws {
        // Greenland: DST starts at -1:00, i.e. 23:00 on the Saturday before the last Sunday of March.
        let nuuk = try TimeZoneRules(posixRule: "<-02>2<-01>,M3.5.0/-1,M10.5.0/0")
        #expect(changes(nuuk, in: 2026).map(\.instant) == [utc(2026, 3, 29, 1), utc(2026, 10, 25, 1)])
        // Israel: DST starts at 26:00 on the fourth Thursday of March, i.e. 02:00 on Friday.
        let israel = try TimeZoneRules(posixRule: "IST-2IDT,M3.4.4/26,M10.5.0")
        #expect(changes(israel, in: 2026).map(\.instant) == [utc(2026, 3, 27), utc(2026, 10, 24, 23)])
        // Chile: 24:00 on the first Saturday of September.
        let chile = try TimeZoneRules(posixRule: "<-04>4<-03>,M9.1.6/24,M4.1.6/24")
        #expect(changes(chile, in: 2026).map(\.instant) == [utc(2026, 4, 5, 3), utc(2026, 9, 6, 4)])
    }

    @Test func daylightSavingAllYearIsAConstantOffset() throws {
        // RFC 8536's example of permanent DST.
        let zone = try TimeZoneRules(posixRule: "EST5EDT4,0/0,J365/25")
        #expect(zone.utcOffset(at: utc(2026, 1, 1)) == -14_400)
        #expect(zone.utcOffset(at: utc(2026, 7, 1)) == -14_400)
        #expect(zone.transition(after: utc(2026, 1, 1)) == nil)
    }

    @Test func daylightSavingWithoutRulesUsesTheUSRules() throws {
        let zone = try TimeZoneRules(posixRule: "CST6CDT")
        #expect(changes(zone, in: 2026).map(\.instant) == [utc(2026, 3, 8, 8), utc(2026, 11, 1, 7)])
    }

    @Test(arguments: ["America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Nuuk", "Asia/Jerusalem", "America/Santiago", "Pacific/Auckland"])
    func zoneFilesAgreeWithTheirOwnFooterAfter2037(name: String) throws {
        let zone = try PinnedTzdata.zone(name)
        let footer = try footerText(of: name)
        let rule = try TimeZoneRules(posixRule: footer)
        for year in [2038, 2050, 2100, 2199, 2200, 2201, 2345] {
            #expect(changes(zone, in: year) == changes(rule, in: year), "\(name) \(year)")
        }
    }

    @Test(arguments: [
        ("", "expected a zone abbreviation at the start"),
        ("5EST", "expected a zone abbreviation at the start"),
        ("EST", "expected the standard-time offset after the abbreviation"),
        ("EST5EDT,M13.1.0,M11.1.0", "bad daylight-saving start rule"),
        ("EST5EDT,M3.2.0", "bad daylight-saving end rule"),
        ("EST5EDT,M3.2.0,M11.1.0junk", "unexpected text after the rule"),
        ("<+1030-10:30", "expected a zone abbreviation at the start"),
        ("EST25", "expected the standard-time offset after the abbreviation"),
        ("EST5EDT,J0,J365", "bad daylight-saving start rule"),
    ])
    func malformedRulesAreRejected(text: String, reason: String) {
        let error = #expect(throws: TimeZoneError.self) { try TimeZoneRules(posixRule: text, identifier: "Test/Zone") }
        #expect(error?.description == "time zone \"Test/Zone\": invalid TZ rule \"\(text)\": \(reason)")
    }

    private func footerText(of name: String) throws -> String {
        let bytes = try #require(readAll(PinnedTzdata.fatDirectory + "/" + name))
        let body = bytes.dropLast()  // the final newline
        let start = try #require(body.lastIndex(of: UInt8(ascii: "\n")))
        return String(decoding: body[(start + 1)...], as: UTF8.self)
    }
}
