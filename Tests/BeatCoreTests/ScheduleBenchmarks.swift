#if canImport(Glibc)
import Glibc
#endif
import BeatCore
import CivilTime
import TestSupport
import Testing

/// Timings, not assertions. For real numbers run them in a release build with
/// `SWIFTBEAT_BENCHMARK=1 swift test -c release --filter ScheduleBenchmarks`; without the variable
/// they run a hundredth of the iterations, so `scripts/test` (which allows no skipped test) stays fast.
@Suite(.serialized)
struct ScheduleBenchmarks {
    private let scale = getenv("SWIFTBEAT_BENCHMARK") != nil ? 1 : 100

    private func measure(_ label: String, iterations: Int, _ body: () -> Int64) {
        let clock = ContinuousClock()
        var checksum: Int64 = 0
        let elapsed = clock.measure { checksum = body() }
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        let perCall = nanoseconds / Double(iterations)
        print("benchmark \(label): \(Int(perCall.rounded())) ns per call (\(iterations) calls, checksum \(checksum & 0xFFFF))")
    }

    @Test func nextRun() throws {
        let expressions = [
            "* * * * *", "*/15 * * * *", "0 9 * * mon-fri", "30 2 * * *", "*/15 9-17 * * mon-fri", "0 0 1 * *",
            "0 9 1-7,15-21 * mon", "0 0 29 2 mon",
        ]
        let zones = try ["UTC", "America/New_York", "Australia/Lord_Howe"].map { try PinnedTzdata.zone($0) }
        for zone in zones {
            for expression in expressions {
                let crontab = try CrontabSchedule(fromString: expression)
                let iterations = (expression == "0 0 29 2 mon" ? 20_000 : 200_000) / scale
                measure("nextRun \"\(expression)\" in \(zone), chained", iterations: iterations) {
                    var cursor = utc(2026, 1, 1)
                    for _ in 0..<iterations {
                        cursor = crontab.nextRun(after: cursor, in: zone)
                        if cursor > utc(2035, 1, 1) { cursor = utc(2026, 1, 1) }
                    }
                    return cursor.microsecondsSinceEpoch
                }
            }
        }
    }

    @Test func nextDueForAMixOf100000Entries() throws {
        let zone = try PinnedTzdata.zone("Europe/London")
        var rng = SeededGenerator(state: 7)
        var schedules: [Schedule] = []
        for index in 0..<100_000 / scale {
            if index % 2 == 0 {
                schedules.append(.crontab(CrontabPropertyTests.randomCrontab(using: &rng)))
            } else {
                schedules.append(.interval(try IntervalSchedule(every: Int.random(in: 1...3600, using: &rng))))
            }
        }
        let now = utc(2026, 10, 25, 0, 30)
        measure("nextDue over \(schedules.count) mixed entries (load-time pass)", iterations: schedules.count) {
            var sum: Int64 = 0
            for schedule in schedules {
                sum &+= schedule.nextDue(lastRunAt: now, now: now, in: zone).microsecondsSinceEpoch
            }
            return sum
        }
    }

    @Test func parsing() throws {
        let expressions = ["*/15 9-17 * * mon-fri", "0 9 1-7,15-21 * mon", "5,35 1-3,22 * jan-jun *", "* * * * *"]
        let iterations = 100_000 / scale
        measure("CrontabSchedule(fromString:)", iterations: iterations) {
            var sum: Int64 = 0
            for index in 0..<iterations {
                let crontab = try! CrontabSchedule(fromString: expressions[index & 3])
                sum &+= crontab.matchesEveryHour ? 1 : 0
            }
            return sum
        }
    }
}
