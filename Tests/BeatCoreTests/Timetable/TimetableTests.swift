import BeatCore
import CivilTime
import TestSupport
import Testing

/// The timetable with a hand-moved clock: what is due when, in which order, and how edits,
/// removals and firings move an entry's next due instant.
@Suite struct TimetableTests {
    private let start = utc(2026, 1, 1, 10, 0)
    private func every(_ seconds: Int) -> Schedule { .interval(try! IntervalSchedule(every: seconds)) }
    private func at(_ seconds: Int64) -> Instant { start + .seconds(seconds) }

    private func table(_ entries: [(String, Schedule, Instant?)], now: Instant? = nil) -> Timetable {
        var timetable = Timetable()
        for (index, entry) in entries.enumerated() {
            timetable.upsert(
                key: entry.0, schedule: entry.1, enabled: true, lastRunAt: entry.2, digest: index,
                now: now ?? start)
        }
        return timetable
    }

    @Test func popDueHandsOutEarliestFirstUpToTheLimit() {
        var timetable = table([
            ("c", every(30), at(-1)),  // due at 29
            ("a", every(10), at(-5)),  // due at 5
            ("b", every(20), at(-10)),  // due at 10
            ("later", every(3600), nil),
        ])
        #expect(timetable.count == 4)
        #expect(timetable.nextDue() == at(5))
        #expect(timetable.popDue(now: at(4), limit: 10) == [])
        #expect(timetable.popDue(now: at(30), limit: 2) == ["a", "b"])
        #expect(timetable.popDue(now: at(30), limit: 2) == ["c"])
        #expect(timetable.popDue(now: at(30), limit: 2) == [])
        // Handed-out entries are not due until the runner reports back.
        #expect(timetable["a"]?.nextDue == nil)
        #expect(timetable.nextDue() == at(3600))
        #expect(timetable.popDue(now: at(10_000), limit: 0) == [])
    }

    @Test func neverRunEntriesCountFromWhenFirstSeen() {
        var timetable = Timetable()
        timetable.upsert(key: "k", schedule: every(60), enabled: true, lastRunAt: nil, digest: 1, now: at(7))
        #expect(timetable["k"]?.firstSeen == at(7))
        #expect(timetable.nextDue() == at(67))
        let quarterHourly = Schedule.crontab(try! CrontabSchedule(minute: "*/15"))
        timetable.upsert(key: "c", schedule: quarterHourly, enabled: true, lastRunAt: nil, digest: 2, now: at(7))
        #expect(timetable["c"]?.nextDue == utc(2026, 1, 1, 10, 15))
    }

    @Test func anEditKeepsFirstSeenAndTakesTheLastRunFromTheEntry() {
        var timetable = Timetable()
        timetable.upsert(key: "k", schedule: every(60), enabled: true, lastRunAt: nil, digest: 1, now: at(0))
        // Edited 50 s later (new args, say): the interval still counts from when it was first seen.
        timetable.upsert(key: "k", schedule: every(60), enabled: true, lastRunAt: nil, digest: 2, now: at(50))
        #expect(timetable["k"]?.firstSeen == at(0))
        #expect(timetable["k"]?.digest == 2)
        #expect(timetable.nextDue() == at(60))
        // A new schedule applies from the last run; run state comes from what is stored.
        timetable.upsert(key: "k", schedule: every(20), enabled: true, lastRunAt: at(30), digest: 3, now: at(55))
        #expect(timetable["k"]?.nextDue == at(50))
        #expect(timetable.popDue(now: at(55), limit: 10) == ["k"])
    }

    @Test func anEditWithoutLastRunKeepsTheLastRunKnownHere() {
        var timetable = table([("k", every(10), at(-10))])
        #expect(timetable.popDue(now: at(0), limit: 1) == ["k"])
        timetable.fired(key: "k", at: at(0), digest: 1)
        // Rewritten from scratch (no last_run_at) 2 s later: still due 10 s after the firing.
        timetable.upsert(key: "k", schedule: every(10), enabled: true, lastRunAt: nil, digest: 2, now: at(2))
        #expect(timetable["k"]?.lastRunAt == at(0))
        #expect(timetable.popDue(now: at(9), limit: 1) == [])
        #expect(timetable.popDue(now: at(10), limit: 1) == ["k"])
        // A value that has a last run is taken as it is, even an older one.
        timetable.upsert(key: "k", schedule: every(10), enabled: true, lastRunAt: at(-100), digest: 3, now: at(11))
        #expect(timetable["k"]?.lastRunAt == at(-100))
        // An entry that never ran still counts from when it was first seen.
        var fresh = Timetable()
        fresh.upsert(key: "n", schedule: every(10), enabled: true, lastRunAt: nil, digest: 1, now: at(0))
        fresh.upsert(key: "n", schedule: every(10), enabled: true, lastRunAt: nil, digest: 2, now: at(5))
        #expect(fresh["n"]?.lastRunAt == nil)
        #expect(fresh.nextDue() == at(10))
    }

    @Test func disabledEntriesAreNeverDue() {
        var timetable = Timetable()
        timetable.upsert(key: "off", schedule: every(1), enabled: false, lastRunAt: at(-1000), digest: 1, now: at(0))
        #expect(timetable.count == 1)
        #expect(timetable["off"]?.nextDue == nil)
        #expect(timetable.nextDue() == nil)
        #expect(timetable.popDue(now: at(1_000_000), limit: 10) == [])
        // Rescheduling or firing reports do not wake it either.
        timetable.reschedule(key: "off", now: at(5), retryAt: at(5))
        #expect(timetable.popDue(now: at(1_000_000), limit: 10) == [])
        // Enabled again: due by its own run state.
        timetable.upsert(key: "off", schedule: every(1), enabled: true, lastRunAt: at(-1000), digest: 2, now: at(6))
        #expect(timetable.popDue(now: at(6), limit: 10) == ["off"])
        // And disabled while due: the old heap item no longer counts.
        var other = table([("k", every(10), at(-20))])
        other.upsert(key: "k", schedule: every(10), enabled: false, lastRunAt: at(-20), digest: 9, now: at(0))
        #expect(other.nextDue() == nil)
        #expect(other.popDue(now: at(100), limit: 10) == [])
    }

    @Test func removeForgetsTheEntry() {
        var timetable = table([("a", every(10), at(-20)), ("b", every(10), at(-15))])
        timetable.remove(key: "a")
        #expect(timetable["a"] == nil)
        #expect(timetable.count == 1)
        #expect(timetable.popDue(now: at(0), limit: 10) == ["b"])
        // Reports about a removed entry are ignored (it was deleted while firing).
        timetable.fired(key: "a", at: at(0), digest: 5)
        timetable.reschedule(key: "a", now: at(0))
        #expect(timetable["a"] == nil)
        #expect(timetable.popDue(now: at(100), limit: 10) == [])
    }

    @Test func upsertSaysWhetherTheEntryIsNewAndReusesTheSlotsOfRemovedOnes() {
        var timetable = table([("a", every(10), at(-20)), ("b", every(30), at(-15))])
        timetable.remove(key: "a")
        let newC = timetable.upsert(key: "c", schedule: every(5), enabled: true, lastRunAt: at(-3), digest: 7, now: start)
        let newB = timetable.upsert(key: "b", schedule: every(20), enabled: true, lastRunAt: nil, digest: 8, now: start)
        let newA = timetable.upsert(key: "a", schedule: every(40), enabled: true, lastRunAt: at(0), digest: 9, now: start)
        #expect(newC && !newB && newA)
        #expect(timetable.count == 3)
        let digests = ["c", "b", "a", "gone"].map { timetable.markSeen(key: $0) }
        #expect(digests == [7, 8, 9, nil])
        #expect(timetable["c"]?.schedule == every(5) && timetable["b"]?.lastRunAt == at(-15) && timetable["a"]?.nextDue == at(40))
        #expect(timetable.popDue(now: at(100), limit: 10) == ["c", "b", "a"])
    }

    @Test func firedMovesTheDueTimeAndRecordsTheRun() {
        var timetable = table([("k", every(10), at(-10))])
        #expect(timetable.popDue(now: at(0), limit: 1) == ["k"])
        timetable.fired(key: "k", at: at(1), digest: 77)
        let slot = timetable["k"]
        #expect(slot?.lastRunAt == at(1))
        #expect(slot?.digest == 77)
        #expect(slot?.nextDue == at(11))
        #expect(timetable.popDue(now: at(10), limit: 1) == [])
        #expect(timetable.popDue(now: at(11), limit: 1) == ["k"])
    }

    @Test func rescheduleByScheduleOrAtAGivenInstant() {
        var timetable = table([("k", every(10), at(-10))])
        #expect(timetable.popDue(now: at(0), limit: 1) == ["k"])
        // Put back unfired: by its schedule it is still due now.
        timetable.reschedule(key: "k", now: at(0))
        #expect(timetable["k"]?.nextDue == at(0))
        #expect(timetable.popDue(now: at(0), limit: 1) == ["k"])
        // Put back to retry later.
        timetable.reschedule(key: "k", now: at(0), retryAt: at(3))
        #expect(timetable.popDue(now: at(2), limit: 1) == [])
        #expect(timetable.popDue(now: at(3), limit: 1) == ["k"])
    }

    @Test func staleHeapItemsAreSkipped() {
        var timetable = table([("k", every(10), at(-10))])
        // Each upsert leaves the previous heap item behind; only the newest counts.
        for digest in 1...5 {
            timetable.upsert(key: "k", schedule: every(10), enabled: true, lastRunAt: at(Int64(digest)), digest: digest, now: at(0))
        }
        #expect(timetable.nextDue() == at(15))
        #expect(timetable.popDue(now: at(100), limit: 10) == ["k"])
        #expect(timetable.popDue(now: at(100), limit: 10) == [])
        // An entry rescheduled earlier than its stale item is handed out once, at the new time.
        timetable.reschedule(key: "k", now: at(100), retryAt: at(101))
        timetable.reschedule(key: "k", now: at(100), retryAt: at(120))
        #expect(timetable.popDue(now: at(110), limit: 10) == [])
        #expect(timetable.popDue(now: at(120), limit: 10) == ["k"])
    }

    @Test func manyStaleItemsAreCompactedAway() {
        // 3,000 edits of 100 entries: the heap is rebuilt, and every entry is still handed out once.
        var timetable = Timetable()
        for round in 0..<30 {
            for index in 0..<100 {
                timetable.upsert(
                    key: "k\(index)", schedule: every(10 + index), enabled: true, lastRunAt: at(Int64(round)), digest: round, now: at(0))
            }
        }
        let keys = timetable.popDue(now: at(10_000), limit: 1000)
        #expect(keys.count == 100)
        #expect(Set(keys).count == 100)
        #expect(keys.first == "k0" && keys.last == "k99")
    }

    @Test func missedSlotsFireOnce() {
        // Last ran an hour ago on a 10 s interval: 360 slots were missed, one firing is due.
        var timetable = table([("k", every(10), at(-3600))])
        #expect(timetable.popDue(now: at(0), limit: 10) == ["k"])
        timetable.fired(key: "k", at: at(0), digest: 1)
        #expect(timetable.popDue(now: at(9), limit: 10) == [])
        #expect(timetable["k"]?.nextDue == at(10))
        // The same for a crontab: missed quarter-hours fire once, then the next slot after now.
        var cron = Timetable()
        cron.upsert(
            key: "c", schedule: .crontab(try! CrontabSchedule(minute: "*/15")), enabled: true,
            lastRunAt: utc(2026, 1, 1, 7, 0), digest: 1, now: at(7))
        #expect(cron.popDue(now: at(7), limit: 10) == ["c"])
        cron.fired(key: "c", at: at(7), digest: 2)
        #expect(cron["c"]?.nextDue == utc(2026, 1, 1, 10, 15))
    }

    @Test func startingDeadlineSkipsAStaleCrontabCatchUp() {
        var timetable = Timetable(startingDeadline: .seconds(60))
        timetable.upsert(
            key: "c", schedule: .crontab(try! CrontabSchedule(minute: 0)), enabled: true,
            lastRunAt: utc(2026, 1, 1, 8, 0), digest: 1, now: utc(2026, 1, 1, 10, 30))
        #expect(timetable.popDue(now: utc(2026, 1, 1, 10, 30), limit: 10) == [])
        #expect(timetable.nextDue() == utc(2026, 1, 1, 11, 0))
    }

    @Test func zoneDecidesCrontabSlots() throws {
        let newYork = try PinnedTzdata.zone("America/New_York")
        var timetable = Timetable(zone: newYork)
        timetable.upsert(
            key: "c", schedule: .crontab(try CrontabSchedule(minute: 0, hour: 9)), enabled: true, lastRunAt: nil, digest: 1, now: utc(2026, 1, 1, 0, 0))
        #expect(timetable.nextDue() == utc(2026, 1, 1, 14, 0))  // 09:00 EST
    }
}
