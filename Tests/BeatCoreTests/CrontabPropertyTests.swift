import BeatCore
import CivilTime
import TestSupport
import Testing

/// SplitMix64: a seeded generator, so a failing case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Whether a crontab fires at an instant, decided the slow way: from the zone's wall clock at that
/// instant alone, with the DST rule written out as its definition.
enum FireOracle {
    static func fires(_ crontab: CrontabSchedule, at instant: Instant, in zone: TimeZoneRules) -> Bool {
        let wall = zone.wallTime(at: instant)
        guard wall.second == 0, wall.microsecond == 0 else { return false }
        if crontab.matches(wall) {
            // Every-hour crontabs fire at each occurrence, others at the first only.
            if crontab.matchesEveryHour || zone.occurrences(of: wall).instants.first == instant {
                return true
            }
        }
        // Specific hours: the instant the clocks land after a gap that swallowed a matching wall time.
        guard !crontab.matchesEveryHour,
            let transition = zone.transition(after: instant - Microseconds(1)), transition.instant == instant,
            transition.utcOffsetAfter > transition.utcOffsetBefore
        else { return false }
        let gapStart = CivilDateTime(instant, utcOffsetSeconds: transition.utcOffsetBefore).wallMicroseconds
        let gapEnd = CivilDateTime(instant, utcOffsetSeconds: transition.utcOffsetAfter).wallMicroseconds
        var minute = gapStart
        while minute < gapEnd {
            if crontab.matches(CivilDateTime(Instant(microsecondsSinceEpoch: minute))) { return true }
            minute += 60_000_000
        }
        return false
    }
}

@Suite struct CrontabPropertyTests {
    static let zones = [
        "UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "America/Santiago",
        "Pacific/Chatham", "America/St_Johns",
    ]

    /// A random field in one of Celery's forms.
    static func field(_ range: ClosedRange<Int>, starWeight: Int, using rng: inout SeededGenerator) -> String {
        func value() -> Int { Int.random(in: range, using: &rng) }
        switch Int.random(in: 0..<(starWeight + 7), using: &rng) {
        case 0: return "\(value())"
        case 1: return "*/\([2, 3, 5, 7, 10, 15, 20, 30].randomElement(using: &rng)!)"
        case 2:
            let (a, b) = (value(), value())
            return "\(min(a, b))-\(max(a, b))"
        case 3:
            let (a, b) = (value(), value())
            return "\(min(a, b))-\(max(a, b))/\(Int.random(in: 2...5, using: &rng))"
        case 4: return "\(value()),\(value()),\(value())"
        case 5:
            let (a, b) = (value(), value())
            return "\(max(a, b))-\(min(a, b))"  // wraps
        case 6: return "\(value())-\(range.upperBound),\(value())"
        default: return "*"
        }
    }

    static func randomCrontab(using rng: inout SeededGenerator) -> CrontabSchedule {
        while true {
            let text = [
                field(0...59, starWeight: 1, using: &rng), field(0...23, starWeight: 5, using: &rng),
                field(1...31, starWeight: 14, using: &rng), field(1...12, starWeight: 20, using: &rng),
                field(0...6, starWeight: 10, using: &rng),
            ].joined(separator: " ")
            if let crontab = try? CrontabSchedule(fromString: text) { return crontab }
        }
    }

    /// Half the time within hours of one of the zone's transitions, else anywhere in 2020-2035.
    static func randomInstant(in zone: TimeZoneRules, using rng: inout SeededGenerator) -> Instant {
        let transitions = zone.transitions(in: utc(2020, 1, 1)..<utc(2036, 1, 1))
        var micros: Int64
        if !transitions.isEmpty, Bool.random(using: &rng) {
            micros = transitions.randomElement(using: &rng)!.instant.microsecondsSinceEpoch
                + Int64.random(in: -4 * 3600...4 * 3600, using: &rng) * 1_000_000
        } else {
            micros = Int64.random(
                in: utc(2020, 1, 1).microsecondsSinceEpoch...utc(2035, 12, 31).microsecondsSinceEpoch, using: &rng)
        }
        if Bool.random(using: &rng) { micros -= micros % 60_000_000 }  // on a whole minute, like a run on time
        return Instant(microsecondsSinceEpoch: micros)
    }

    @Test func nextRunIsAfterMatchesAndNothingBetweenFires() throws {
        var rng = SeededGenerator(state: 0x5EED_2026)
        let zones = try Self.zones.map { try PinnedTzdata.zone($0) }
        let scanLimit: Int64 = 2 * 86_400_000_000
        var scannedMinutes = 0
        for index in 0..<500 {
            let crontab = Self.randomCrontab(using: &rng)
            let zone = zones.randomElement(using: &rng)!
            let after = Self.randomInstant(in: zone, using: &rng)
            let next = crontab.nextRun(after: after, in: zone)
            let context = "case \(index): \"\(crontab.expression)\" in \(zone) after \(zone.iso8601(after)) gave \(zone.iso8601(next))"
            #expect(next > after, "\(context)")
            #expect(FireOracle.fires(crontab, at: next, in: zone), "\(context): does not fire there")
            // Every whole UTC minute in between (whole wall minutes, as no offset here has seconds),
            // for at most two days.
            let first = after.microsecondsSinceEpoch - after.microsecondsSinceEpoch.floorModulo(60_000_000) + 60_000_000
            let last = min(next.microsecondsSinceEpoch, after.microsecondsSinceEpoch + scanLimit)
            var minute = first
            while minute < last {
                let instant = Instant(microsecondsSinceEpoch: minute)
                if FireOracle.fires(crontab, at: instant, in: zone) {
                    Issue.record("\(context), but it fires at \(zone.iso8601(instant))")
                    break
                }
                minute += 60_000_000
                scannedMinutes += 1
            }
        }
        #expect(scannedMinutes > 100_000)
    }

    @Test func aroundEveryTransitionNothingIsSkippedOrDoubled() throws {
        // Crontabs aimed at the hours a transition touches, started just before, during and after it.
        var rng = SeededGenerator(state: 0xD57)
        for name in Self.zones where name != "UTC" && name != "Asia/Kolkata" {
            let zone = try PinnedTzdata.zone(name)
            for transition in zone.transitions(in: utc(2026, 1, 1)..<utc(2027, 1, 1)) {
                let before = CivilDateTime(transition.instant, utcOffsetSeconds: transition.utcOffsetBefore)
                let after = CivilDateTime(transition.instant, utcOffsetSeconds: transition.utcOffsetAfter)
                let hours = Set([before.hour, after.hour, (before.hour + 23) % 24, (after.hour + 1) % 24])
                var expressions = ["*/15 * * * *", "\(Int.random(in: 0...59, using: &rng)) * * * *", "* * * * *"]
                for hour in hours {
                    expressions += ["\(Int.random(in: 0...59, using: &rng)) \(hour) * * *", "*/15 \(hour) * * *", "0,30 \(hour),\((hour + 5) % 24) * * *"]
                }
                for expression in expressions {
                    let crontab = try CrontabSchedule(fromString: expression)
                    for shift in [-7200, -1800, -1, 0, 60, 1800, 3540, 5400] {
                        let start = transition.instant + .seconds(Int64(shift))
                        let next = crontab.nextRun(after: start, in: zone)
                        let context = "\"\(expression)\" in \(name) after \(zone.iso8601(start)) gave \(zone.iso8601(next))"
                        #expect(FireOracle.fires(crontab, at: next, in: zone), "\(context): does not fire there")
                        var minute = start.microsecondsSinceEpoch - start.microsecondsSinceEpoch.floorModulo(60_000_000) + 60_000_000
                        while minute < next.microsecondsSinceEpoch {
                            let instant = Instant(microsecondsSinceEpoch: minute)
                            if FireOracle.fires(crontab, at: instant, in: zone) {
                                Issue.record("\(context), but it fires at \(zone.iso8601(instant))")
                                break
                            }
                            minute += 60_000_000
                        }
                    }
                }
            }
        }
    }

    @Test func rareCrontabsTerminateAndMatchAcrossCenturies() throws {
        var rng = SeededGenerator(state: 0xFEB_29)
        let zones = try Self.zones.map { try PinnedTzdata.zone($0) }
        let rare = try [
            "0 0 29 2 mon", "30 2 29 2 *", "59 23 31 * sun", "0 12 31 4-12/2 *", "0 0 1-7 * 1", "15 1 30 * fri",
            "0 0 13 * fri", "*/30 2 29 2 *", "0 * 29 2 sat",
        ].map(CrontabSchedule.init(fromString:))
        for _ in 0..<150 {
            let crontab = rare.randomElement(using: &rng)!
            let zone = zones.randomElement(using: &rng)!
            let year = Int.random(in: 1900...2400, using: &rng)
            let start = utc(year, Int.random(in: 1...12, using: &rng), Int.random(in: 1...28, using: &rng))
            var previous = start
            for next in crontab.nextRuns(after: start, count: 3, in: zone) {
                #expect(next > previous)
                #expect(FireOracle.fires(crontab, at: next, in: zone), "\"\(crontab.expression)\" in \(zone) at \(zone.iso8601(next))")
                previous = next
            }
        }
    }

    @Test func theAnswerIsStableUntilItIsReached() throws {
        // Asked again from anywhere before its answer, nextRun gives the same answer.
        var rng = SeededGenerator(state: 42)
        let zones = try Self.zones.map { try PinnedTzdata.zone($0) }
        for _ in 0..<300 {
            let crontab = Self.randomCrontab(using: &rng)
            let zone = zones.randomElement(using: &rng)!
            let after = Self.randomInstant(in: zone, using: &rng)
            let next = crontab.nextRun(after: after, in: zone)
            let span = next.microsecondsSinceEpoch - after.microsecondsSinceEpoch
            let probe = after + Microseconds(Int64.random(in: 0..<span, using: &rng))
            #expect(crontab.nextRun(after: probe, in: zone) == next, "\"\(crontab.expression)\" in \(zone) from \(probe)")
        }
    }
}
