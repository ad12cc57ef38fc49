import CivilTime
import JSON
import Recurrence
import Testing
import TestSupport

/// swiftbeat's recurrence engine against python-dateutil 2.9.0 (what RedBeat 2.4.2 fires by):
/// `Fixtures/rrule/dateutil-cases.jsonl`, written by `Tests/Python/rrule_cases.py 1 600` from the
/// Celery 5.7 venv, holds 600 random rules (9 that dateutil refuses; 4,781 occurrences) (COUNT, UNTIL, BYSETPOS, BYDAY with ordinals, zones with
/// DST, starts in skipped wall times) and, for three random instants each, the chain of five
/// `rrule.after()` answers. Every answer must be the same, to the second.
///
/// The zones are read from this machine's tz database, as Python's zoneinfo read its own when the
/// fixture was captured; the instants lie in 2018-2031, where the zones used have not changed.
@Suite struct DateutilComparisonTests {
    @Test func everyCapturedRuleGivesDateutilsOccurrences() throws {
        let text = String(decoding: try Fixtures.bytes("rrule/dateutil-cases.jsonl"), as: UTF8.self)
        var rules = 0
        var compared = 0
        var refused = 0
        var differences: [String] = []
        for line in text.split(separator: "\n") {
            let record = try #require(try JSONParser.parse(Array(line.utf8)).objectValue)
            let fields = try #require(record["rule"]?.objectValue)
            let zone = try TimeZoneRules.load(identifier: try #require(fields["zone"]?.stringValue))
            rules += 1
            let built = Result { () throws -> RecurrenceRule in try Self.rule(fields) }
            if record["error"] != nil {
                refused += 1
                #expect(throws: RecurrenceError.self, "dateutil refused \(line)") { try built.get() }
                continue
            }
            let rule = try built.get()
            for query in try #require(record["queries"]?.arrayValue) {
                let after = Instant(secondsSinceEpoch: try #require(query.objectValue?["after"]?.numberValue?.int64Value))
                let expected = try #require(query.objectValue?["next"]?.arrayValue).compactMap { $0.numberValue?.int64Value }
                let answered = rule.occurrences(after: after, limit: 5, in: zone).map(\.secondsSinceEpoch)
                compared += expected.count
                if answered != expected {
                    differences.append("after \(after.secondsSinceEpoch): dateutil \(expected), swiftbeat \(answered): \(line)")
                }
            }
        }
        #expect(differences.isEmpty, "\(differences.count) differences:\n\(differences.prefix(5).joined(separator: "\n"))")
        #expect(rules >= 500)
        #expect(compared >= 4700, "only \(compared) occurrences compared")
        #expect(refused <= rules / 20)
    }

    /// The fixture's fields, named as dateutil's arguments.
    static func rule(_ fields: JSONObject) throws -> RecurrenceRule {
        func list(_ name: String) -> [Int] { (fields[name]?.arrayValue ?? []).compactMap { $0.numberValue?.int64Value.map { Int($0) } } }
        func int(_ name: String) -> Int? { fields[name]?.numberValue?.int64Value.map { Int($0) } }
        let start = try ISO8601.parse(try #require(fields["dtstart"]?.stringValue)).wallTime
        let weekdays = fields["byweekday"]?.arrayValue.map { days in
            days.compactMap { day -> RecurrenceRule.Weekday? in
                guard let pair = day.arrayValue, let weekday = pair.first?.numberValue?.int64Value else { return nil }
                return RecurrenceRule.Weekday(Int(weekday), ordinal: pair.last?.numberValue?.int64Value.map { Int($0) })
            }
        }
        let freq = try #require(int("freq"))
        let frequency = try #require(RecurrenceRule.Frequency(rawValue: freq))
        return try RecurrenceRule(
            frequency: frequency, start: start,
            interval: int("interval") ?? 1, weekStart: int("wkst") ?? 0, count: int("count"),
            until: int("until").map { .instant(Instant(secondsSinceEpoch: Int64($0))) }, bySetPosition: list("bysetpos"),
            byMonth: list("bymonth"), byMonthDay: list("bymonthday"), byYearDay: list("byyearday"), byEaster: list("byeaster"),
            byWeekNumber: list("byweekno"), byWeekday: weekdays, byHour: list("byhour"), byMinute: list("byminute"),
            bySecond: list("bysecond"))
    }
}
