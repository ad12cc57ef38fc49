import BeatCore
import CivilTime
import JSON
import TestSupport
import Testing

/// swiftbeat against real Celery 5.7.0 (`scripts/capture-crontab-fixtures`): random crontabs and
/// intervals in seven zones, a third of the start instants within hours of a DST transition.
///
/// swiftbeat must agree on every case, except the ones listed here, where Celery's wall-clock
/// arithmetic goes wrong around a DST change and swiftbeat applies its DST rule instead
/// (see `CrontabSchedule.nextRun(after:in:)`). Each listed case is checked to still differ and to
/// lie at a transition, so the list cannot silently cover anything else.
@Suite struct CeleryComparisonTests {
    /// Reasons, by kind of Celery error.
    static let gap =
        "specific hours, matching wall times in a spring-forward gap: Celery reads the first with the "
        + "pre-transition offset (gap length later); swiftbeat fires once, as the clocks land"
    static let skippedHourEveryHour =
        "every-hour crontab whose wall time is skipped by the gap: Celery fires at the skipped time read "
        + "with the old offset; swiftbeat's skipped hour has no instants (next real wall-time match)"
    static let repeatedHourSkipped =
        "every-hour crontab at fall-back: Celery jumps over the repeated hour (celery/celery#10107); "
        + "swiftbeat fires in both passes"
    static let foldLost =
        "start in the second pass of a repeated hour: Celery's ffwd arithmetic drops `fold`, so its "
        + "next run is an instant in the past (due at once, a double run); swiftbeat's is after the start"

    /// `crontab-next` cases where swiftbeat deliberately differs, by fixture id.
    static let crontabDifferences: [Int64: String] = [
        74: gap,  // Lord Howe 7-18,59 2 * * *: 02:07 skipped by 02:00→02:30
        925: gap,  // Santiago 47 0-21/3: 00:47 skipped by 00:00→01:00
        939: gap,  // New York 5 2 * * sun: 02:05 skipped
        341: skippedHourEveryHour,  // Lord Howe 0 * * * *: 02:00 skipped by 02:00→02:30
        735: skippedHourEveryHour,  // the same, another year
        391: repeatedHourSkipped,  // Auckland 59 * * * sun: the second 02:59
        764: repeatedHourSkipped,  // London 35 * * * *: the second 01:35
        1398: repeatedHourSkipped,  // Santiago 20 * 1-19 * *: the second 23:20
        919: foldLost,  // New York, hours 19-15: Celery answers 01:59 EDT, before the 01:09 EST start
        1059: foldLost,  // London */6 * * * *: Celery answers 01:06 BST, before the 01:01 GMT start
    ]

    /// `crontab-due` cases where swiftbeat's next check deliberately differs (both report due).
    static let dueDifferences: [Int64: String] = [
        2237: foldLost  // London, second pass of 01:xx: Celery's next check is "now"
    ]

    @Test func crontabNextRunsAgreeWithCelery() throws {
        let cases = try CeleryFixture.cases(kind: "crontab-next")
        #expect(cases.count >= 2000)
        var differing: Set<Int64> = []
        for c in cases {
            let id = c.int64("id")
            let zone = try PinnedTzdata.zone(c.string("zone"))
            let crontab = try #require(try crontab(from: c["fields"]!))
            let after = c.instant("after_us")
            let celery = c.instant("celery_next_us")
            let ours = crontab.nextRun(after: after, in: zone)
            if ours == celery { continue }
            differing.insert(id)
            let context = "case \(id) \(c.string("zone")) \"\(crontab.expression)\" after \(c.string("after")): "
                + "Celery \(c.string("celery_next")), swiftbeat \(zone.iso8601(ours))"
            #expect(Self.crontabDifferences[id] != nil, "unexpected difference: \(context)")
            let window = min(after, celery, ours) - .seconds(3 * 3600)..<max(celery, ours) + .seconds(3 * 3600)
            #expect(!zone.transitions(in: window).isEmpty, "listed difference away from DST: \(context)")
        }
        for id in Self.crontabDifferences.keys {
            #expect(differing.contains(id), "case \(id) is listed as differing but agrees (or is gone)")
        }
    }

    @Test func dueChecksAgreeWithCeleryIncludingTheStartingDeadline() throws {
        let cases = try CeleryFixture.cases(kind: "crontab-due")
        #expect(cases.count >= 200)
        var differing: Set<Int64> = []
        for c in cases {
            let id = c.int64("id")
            let zone = try PinnedTzdata.zone(c.string("zone"))
            let crontab = try #require(try crontab(from: c["fields"]!))
            let deadline = c["deadline"]?.numberValue.map { Microseconds.seconds($0.int64Value!) }
            let now = c.instant("now_us")
            let nextDue = Schedule.crontab(crontab).nextDue(
                lastRunAt: c.instant("last_run_at_us"), now: now, in: zone, startingDeadline: deadline)
            let due = nextDue <= now
            // Celery's `next` is the wait until the next check: the next slot after now when due.
            let nextCheck = due ? crontab.nextRun(after: now, in: zone) : nextDue
            let celeryNextCheck = now + Microseconds(c.int64("celery_next_check_us"))
            #expect(due == c["celery_due"]?.boolValue, "case \(id): due")
            if nextCheck != celeryNextCheck {
                differing.insert(id)
                #expect(
                    Self.dueDifferences[id] != nil,
                    "case \(id) \"\(crontab.expression)\": Celery checks at \(zone.iso8601(celeryNextCheck)), swiftbeat at \(zone.iso8601(nextCheck))"
                )
            }
        }
        #expect(differing == Set(Self.dueDifferences.keys))
    }

    @Test func intervalsAgreeWithCeleryPlainAndRelative() throws {
        let cases = try CeleryFixture.cases(kind: "interval-next")
        #expect(cases.count >= 300)
        for c in cases {
            let zone = try PinnedTzdata.zone(c.string("zone"))
            let schedule = try Schedule(
                json: .object(["every": c["every"]!, "period": c["period"]!, "relative": c["relative"]!]))
            guard case .interval(let interval) = schedule else {
                Issue.record("case \(c.int64("id")) is not an interval")
                continue
            }
            let ours = interval.nextDue(lastRunAt: c.instant("after_us"), in: zone)
            #expect(
                ours == c.instant("celery_next_us"),
                "case \(c.int64("id")) \(interval) in \(c.string("zone")) after \(c.string("after")): Celery \(c.string("celery_next")), swiftbeat \(zone.iso8601(ours))"
            )
        }
    }

    @Test func whatCeleryRefusesSwiftbeatRefuses() throws {
        let cases = try CeleryFixture.cases(kind: "crontab-invalid")
        #expect(cases.count >= 19)
        for c in cases {
            #expect(throws: ScheduleError.self, "case \(c.int64("id")): Celery said \(c.string("celery_error"))") {
                try Schedule(json: c["fields"]!)
            }
        }
    }

    private func crontab(from fields: JSONValue) throws -> CrontabSchedule? {
        if case .crontab(let crontab) = try Schedule(json: fields) { return crontab }
        return nil
    }
}
