import BeatCore
import CivilTime
import JSON
import Testing

/// RedBeat's `rrule` as its own encoder wrote it (celery-redbeat 2.4.2,
/// `json.dumps(rrule('MONTHLY', dtstart=datetime(2026, 1, 5, 9, 30, tzinfo=+01:00), count=3,
/// byweekday=[0], bysetpos=[-1]), cls=RedBeatJSONEncoder)`), with the answers of the decoded
/// rule's `rrule.after` chain from 2026-01-01 UTC: the last Monday of each month, three times.
@Suite struct RedBeatRruleTests {
    static let written = #"""
        {"__type__": "rrule", "freq": 1, "interval": 1, "wkst": null, "count": 3, "bysetpos": [-1], "bymonth": null, "bymonthday": null, "byyearday": null, "byeaster": null, "byweekno": null, "byweekday": [0], "byhour": null, "byminute": null, "bysecond": null, "dtstart": 1767601800, "dtstart_tz": 60.0}
        """#

    @Test func redBeatsRruleIsDueAtDateutilsOccurrencesThenNever() throws {
        let schedule = try Schedule(json: try JSONParser.parse(Array(Self.written.utf8)))
        var lastRun = Instant(secondsSinceEpoch: 1_767_225_600)
        var due: [Int64] = []
        for _ in 0..<4 {
            let next = schedule.nextDue(lastRunAt: lastRun, now: lastRun)
            guard next != Schedule.never else { break }
            due.append(next.secondsSinceEpoch)
            lastRun = next
        }
        #expect(due == [1_769_416_200, 1_771_835_400, 1_774_859_400])
    }

    @Test func aRuleWrittenBackReadsAsTheSameRule() throws {
        let schedule = try Schedule(json: try JSONParser.parse(Array(Self.written.utf8)))
        #expect(try Schedule(json: schedule.json) == schedule)
    }

    @Test func anUnknownFrequencyOrWeekdayIsOneLineNamingTheField() throws {
        let badFrequency = Self.written.replacingOccurrences(#""freq": 1"#, #""freq": "FORTNIGHTLY""#)
        #expect(throws: ScheduleError.self) { try Schedule(json: try JSONParser.parse(Array(badFrequency.utf8))) }
        let badDay = Self.written.replacingOccurrences(#""byweekday": [0]"#, #""byweekday": [9]"#)
        do {
            _ = try Schedule(json: try JSONParser.parse(Array(badDay.utf8)))
            Issue.record("weekday 9 was accepted")
        } catch let error as ScheduleError {
            #expect(error.description == "rrule BYDAY: 9 is not a weekday 0-6")
            #expect(error.field == "byday")
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

/// swiftbeat's own spelling for celerybeat-redis entries: RFC 5545 text on the beat's clock.
@Suite struct RruleTextScheduleTests {
    @Test func anRruleTextEntryRunsOnTheBeatsZoneThroughDST() throws {
        let text = #"{"rrule": "DTSTART:20260306T090000\nRRULE:FREQ=DAILY;COUNT=3"}"#
        let schedule = try Schedule(json: try JSONParser.parse(Array(text.utf8)))
        let newYork = try TimeZoneRules.load(identifier: "America/New_York")
        let runs = schedule.nextRuns(after: Instant(secondsSinceEpoch: 1_772_700_000), count: 5, in: newYork).map(newYork.iso8601)
        #expect(runs == ["2026-03-06T09:00:00-05:00", "2026-03-07T09:00:00-05:00", "2026-03-08T09:00:00-04:00"])
        #expect(schedule.json == (try JSONParser.parse(Array(text.utf8))))
    }

    @Test func anRruleTextEntryWithoutDtstartIsRefusedNamingIt() {
        do {
            _ = try Schedule(json: .object(["rrule": .string("RRULE:FREQ=DAILY")]))
            Issue.record("accepted")
        } catch {
            #expect("\(error)" == "rrule DTSTART: required in a stored entry (the first occurrence and its time of day come from it)")
        }
    }
}
