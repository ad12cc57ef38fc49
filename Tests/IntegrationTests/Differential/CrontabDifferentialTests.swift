import BeatCore
import CivilTime
import JSON
import Testing
import TestSupport

/// Crontab next-fire instants in every zone of this machine's tz database, against a brute-force
/// walk of the zone's wall clock with Python's `zoneinfo` under the cronie DST rule README
/// "Schedules" documents (`Tests/Python/crontab_cases.py`; Celery's `crontab_parser` expands the
/// fields). Both read the same files (`$TZDIR`, else `/usr/share/zoneinfo`).
///
/// Each run draws `casesPerZone` cases per zone with a new seed: random crontabs and start instants
/// from 1970 to 2100 (many after 2037, where the POSIX footer gives the rules); in half of the
/// cases the start lies a few hours before one of the zone's transitions and the crontab's hours
/// around the wall hour it changes, so that skipped and repeated wall times are hit. Over many runs
/// the space is covered.
@Suite struct CrontabDifferentialTests {
    static let casesPerZone = 4

    @Test func nextRunAgreesWithAWallClockWalkInEveryZone() async throws {
        let directory = TimeZoneRules.defaultDirectory
        let names = try await DifferentialRun.venv().runScript("zoneinfo_offsets.py", [directory, "--zones"]).split(separator: "\n").map(String.init)
        var run = DifferentialRun()
        var cases: [(zone: TimeZoneRules, fields: [String: String], after: Instant)] = []
        for name in names {
            let zone = try TimeZoneRules.load(identifier: name, directory: directory)
            for _ in 0..<Self.casesPerZone { cases.append(run.crontabCase(in: zone)) }
        }
        let lines = cases.map { zone, fields, after in
            JSONWriter.string(
                .object([
                    "zone": .string(zone.identifier), "crontab": .object(JSONObject(members: fields.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: .string($0.value)) })),
                    "after": .integer(after.secondsSinceEpoch),
                ]), style: .compact)
        }
        let answers = try await run.answers(of: "crontab_cases.py", to: lines, [directory], timeout: .seconds(300))
        var differences: [String] = []
        var reached = (transitions: 0, repeated: 0, landings: 0, afterFooter: 0)
        for ((zone, fields, after), (line, (answer, python))) in zip(cases, zip(lines, answers)) {
            let crontab = Result { () throws(ScheduleError) -> CrontabSchedule in
                try CrontabSchedule(
                    minute: .text(fields["minute"]!), hour: .text(fields["hour"]!), dayOfWeek: .text(fields["day_of_week"]!),
                    dayOfMonth: .text(fields["day_of_month"]!), monthOfYear: .text(fields["month_of_year"]!))
            }
            guard let expected = python["next"]?.numberValue?.int64Value else {
                if case .success = crontab { differences.append("Python refused, swiftbeat accepted: \(line) → \(answer)") }
                continue
            }
            guard case .success(let schedule) = crontab else {
                differences.append("swiftbeat refused, Python fired at \(expected): \(line)")
                continue
            }
            let next = schedule.nextRun(after: after, in: zone)
            if next.secondsSinceEpoch != expected || next.microsecondsSinceEpoch % 1_000_000 != 0 {
                differences.append(
                    "\(line): Python \(zone.iso8601(Instant(secondsSinceEpoch: expected))), swiftbeat \(zone.iso8601(next))")
            }
            if let transition = zone.transition(after: after), transition.instant.secondsSinceEpoch <= expected { reached.transitions += 1 }
            if zone.occurrences(of: zone.wallTime(at: next)).instants.count > 1 { reached.repeated += 1 }
            if zone.transition(after: next - Microseconds(1))?.instant == next { reached.landings += 1 }
            if after.secondsSinceEpoch >= 2_145_916_800 { reached.afterFooter += 1 }  // 2038, where fat files stop
        }
        #expect(differences.isEmpty, "\(differences.count) of \(cases.count) differ (\(run)):\n\(differences.prefix(8).joined(separator: "\n"))")
        #expect(names.count > 300, "only \(names.count) zones in \(directory)")
        print("crontab differential: \(cases.count) cases in \(names.count) zones, \(reached) (\(run))")
        // The generator must keep reaching the DST rule's every branch, and the footer's years.
        #expect(reached.transitions >= cases.count / 5 && reached.repeated >= 20 && reached.landings >= 10, "\(reached) (\(run))")
        #expect(reached.afterFooter >= cases.count / 4, "\(reached) (\(run))")
    }
}

extension DifferentialRun {
    /// A crontab and a start instant; half of them aimed at a transition of the zone.
    mutating func crontabCase(in zone: TimeZoneRules) -> (zone: TimeZoneRules, fields: [String: String], after: Instant) {
        let end: Int64 = 4_102_444_800  // 2100-01-01
        let instant = Instant(secondsSinceEpoch: Int64.random(in: 0..<end, using: &random))
        var fields = crontabFields()
        // Zones whose clocks stopped changing get a transition after 1970 instead, where they have one.
        let transition = zone.transition(after: instant) ?? zone.transition(after: Instant(secondsSinceEpoch: 0))
        guard chance(0.5), let transition, transition.instant.secondsSinceEpoch < end else {
            return (zone, fields, instant)
        }
        // The wall hours on both sides of the change, as a list, a range or one of them.
        let before = zone.wallTime(at: transition.instant - Microseconds(1)).hour
        let after = zone.wallTime(at: transition.instant).hour
        let skippedOrRepeated = (before + 1) % 24
        let all = Set([before, skippedOrRepeated, after]).sorted().map(String.init).joined(separator: ",")
        fields["hour"] = pick(["\(before)", "\(after)", "\(skippedOrRepeated)", "\(skippedOrRepeated)", all, "*"])
        if chance(0.5) { fields["minute"] = pick(["0", "30", "*/15", "*", "59", "0,30", "45"]) }
        return (zone, fields, transition.instant - Microseconds(Int64(int(0...(6 * 3_600))) * 1_000_000))
    }

    /// Celery's crontab fields, in the forms both Celery and swiftbeat read.
    mutating func crontabFields() -> [String: String] {
        [
            "minute": crontabField(0...59, star: 1),
            "hour": crontabField(0...23, star: 3),
            "day_of_week": chance(0.7) ? "*" : pick(["mon-fri", "sat,sun", "fri-mon", crontabField(0...6, star: 0)]),
            "day_of_month": chance(0.75) ? "*" : crontabField(1...28, star: 0),
            "month_of_year": chance(0.75) ? "*" : crontabField(1...12, star: 0),
        ]
    }

    mutating func crontabField(_ range: ClosedRange<Int>, star: Int) -> String {
        func value() -> Int { int(range) }
        switch int(0...(star + 5)) {
        case 0: return "\(value())"
        case 1: return "*/\(pick([2, 3, 5, 7, 10, 15, 20, 30].filter { $0 <= range.count }))"
        case 2:
            let (a, b) = (value(), value())
            return "\(a)-\(b)"  // b < a wraps around, in both readers
        case 3: return "\(min(value(), value()))-\(range.upperBound)/\(int(2...4))"
        case 4, 5: return Set((0..<int(2...4)).map { _ in value() }).sorted().map(String.init).joined(separator: ",")
        default: return "*"
        }
    }
}
