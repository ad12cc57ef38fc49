import BeatCore
import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// Entries added, modified and deleted with raw SET and DEL while `swiftbeat run` runs (no
/// notification: the server has keyspace events off, as by default) take effect within
/// `--reload-interval`, keep their run state, and are never re-created or overwritten.
@Suite struct RunLiveChangesTests {
    /// Raw edits are found by the periodic reload (1 s here); the bound leaves room for a busy machine.
    static let reloadBound: Duration = .seconds(6)

    private func entry(
        every: String, args: String = "[]", lastRunAt: Instant? = nil, count: Int? = nil, extra: String = ""
    ) -> String {
        var json = #"{"task": "probe.record", "schedule": \#(every), "args": \#(args)"#
        if let count { json += #", "total_run_count": \#(count)"# }
        if let lastRunAt { json += #", "last_run_at": \#(RunHarness.componentDatetime(lastRunAt))"# }
        return json + extra + "}"
    }

    private func elapsed(since start: ContinuousClock.Instant) -> Duration { ContinuousClock.now - start }

    @Test func anAddedEntryFiresWithinTheReloadInterval() throws {
        let harness = try RunHarness()
        #expect(try harness.schedule.send("CONFIG", "GET", "notify-keyspace-events").array?.last?.string == "")
        let added = ContinuousClock.now
        try harness.set("added", entry(every: #"{"every": 1}"#, args: #"["new"]"#, lastRunAt: SystemClock.now() - .seconds(60)))
        try harness.waitForSent("added", count: 1)
        #expect(elapsed(since: added) < Self.reloadBound)
        #expect(try harness.queued().first?.args == [.string("new")])
        #expect(harness.logLines(containing: "entry loaded").contains { $0.contains("entry=added") })
    }

    @Test func modifiedArgsAndOptionsApplyFromTheNextFiringAndRunStateIsKept() throws {
        let harness = try RunHarness(launch: false)
        try harness.set("report", entry(every: #"{"every": 1}"#, args: #"["v1"]"#))
        try harness.launchBeat()
        try harness.waitForSent("report", count: 2)

        // A read-modify-write, as a user or `swiftbeat edit` does: new args and a new queue.
        let before = try #require(try harness.value("report"))
        let countBefore = try harness.runCount("report")
        try harness.set(
            "report",
            before.replacingOccurrences(of: #""args": ["v1"]"#, with: #""args": ["v2"], "options": {"queue": "reports"}"#))
        let edited = ContinuousClock.now
        try waitUntil("a firing with the new args in the new queue", timeout: .seconds(30)) {
            try !harness.queued("reports").isEmpty
        }
        #expect(elapsed(since: edited) < Self.reloadBound)
        let moved = try harness.queued("reports")
        #expect(moved.allSatisfy { $0.args == [.string("v2")] })
        #expect(try harness.queued("celery").allSatisfy { $0.args == [.string("v1")] })
        // The count went on from where it was; nothing restarted it.
        let stored = try #require(try harness.entry("report"))
        #expect(stored["args"] == .array([.string("v2")]))
        #expect(stored["options"] == .object(["queue": .string("reports")]))
        #expect(try harness.runCount("report") >= countBefore + 1)
        let sent = try harness.queued("celery").count + harness.queued("reports").count
        #expect(try harness.runCount("report") == Int64(sent))
    }

    /// celerybeat-redis keeps an entry's last run in memory when an edit's value has none (its
    /// `merge_inplace` updates every field but the run state); so must swiftbeat: an entry rewritten
    /// from scratch must not fire early.
    @Test func anEditWithoutRunStateDoesNotFireEarly() throws {
        let harness = try RunHarness(launch: false)
        try harness.set("slow", entry(every: #"{"every": 4}"#, args: #"["v1"]"#))
        try harness.launchBeat()
        let first = try harness.waitForSent("slow", count: 2)[1]
        // Rewritten from scratch right after a firing: the next is still due 4 s after that firing.
        try harness.set("slow", entry(every: #"{"every": 4}"#, args: #"["v2"]"#))
        let next = try harness.waitForSent("slow", count: 3)[2]
        let gap = next.at - first.at
        #expect(gap >= .seconds(3), "fired \(gap.seconds) s after the previous firing")
        #expect(try harness.queued().last?.args == [.string("v2")])
    }

    @Test func aModifiedScheduleAppliesFromTheLastRun() throws {
        let harness = try RunHarness(launch: false)
        let lastRun = SystemClock.now() - .seconds(30)
        try harness.set("hourly", entry(every: #"{"every": 1, "period": "hours"}"#, lastRunAt: lastRun, count: 5))
        try harness.set("clock", entry(every: #"{"every": 1}"#))
        try harness.launchBeat()
        try harness.waitForSent("clock", count: 2)
        #expect(harness.sent("hourly").isEmpty)

        // Every 2 s now: its last run was 30 s ago, so it is due at once, then every 2 s.
        try harness.set("hourly", entry(every: #"{"every": 2}"#, lastRunAt: lastRun, count: 5))
        let edited = ContinuousClock.now
        let firings = try harness.waitForSent("hourly", count: 3)
        #expect(elapsed(since: edited) < Self.reloadBound + .seconds(4))
        #expect(firings[2].at - firings[1].at >= .seconds(1))
        #expect(try harness.runCount("hourly") >= 8)

        // Back to hourly (keeping the run state): it stops.
        let current = try #require(try harness.value("hourly"))
        try harness.set("hourly", current.replacingOccurrences(of: #"{"every": 2}"#, with: #"{"every": 1, "period": "hours"}"#))
        let stoppedAt = try harness.waitForSent("clock", count: harness.sent("clock").count + 2).last!.at
        let afterStop = harness.sent("hourly").filter { $0.at > stoppedAt }.count
        try harness.waitForSent("clock", count: harness.sent("clock").count + 3)
        #expect(harness.sent("hourly").filter { $0.at > stoppedAt }.count == afterStop)
        #expect(afterStop == 0)
    }

    @Test func aDeletedKeyStaysDeleted() throws {
        let harness = try RunHarness(launch: false)
        // Five firings a second, so the DEL lands between reads and write-backs.
        try harness.set("doomed", entry(every: #"{"every": 200, "period": "milliseconds"}"#))
        try harness.set("clock", entry(every: #"{"every": 1}"#))
        try harness.launchBeat()
        try harness.waitForSent("doomed", count: 5)
        try harness.delete("doomed")
        let deleted = ContinuousClock.now
        try waitUntil("the beat to notice the deletion", timeout: .seconds(30)) {
            !harness.logLines(containing: "entry=doomed").filter { $0.contains("removed") || $0.contains("deleted") }.isEmpty
        }
        #expect(elapsed(since: deleted) < Self.reloadBound)
        let firings = harness.sent("doomed").count
        // Three more seconds of firings elsewhere and reloads: the key never comes back.
        let clockCount = harness.sent("clock").count
        try waitUntil("three more firings of another entry", timeout: .seconds(30)) {
            let value = try harness.value("doomed")
            #expect(value == nil, "the deleted key was re-created")
            return harness.sent("clock").count >= clockCount + 3
        }
        #expect(harness.sent("doomed").count == firings)
        #expect(try harness.schedule.send("EXISTS", RunHarness.prefix + "doomed").integer == 0)
    }

    @Test func aDisabledEntryNeverFires() throws {
        let harness = try RunHarness(launch: false)
        let longAgo = SystemClock.now() - .seconds(3600)
        let disabled = entry(every: #"{"every": 1}"#, lastRunAt: longAgo, count: 2, extra: #", "enabled": false"#)
        try harness.set("off", disabled)
        try harness.set("clock", entry(every: #"{"every": 1}"#))
        try harness.launchBeat()
        try harness.waitForSent("clock", count: 4)
        #expect(harness.sent("off").isEmpty)
        #expect(try harness.value("off") == disabled)  // not written either

        // Enabled: due at once (its last run is an hour old), and its count goes on.
        try harness.set("off", disabled.replacingOccurrences(of: #""enabled": false"#, with: #""enabled": true"#))
        try harness.waitForSent("off", count: 2)
        #expect(try harness.runCount("off") >= 4)

        // Disabled again: no more firings.
        let current = try #require(try harness.value("off"))
        try harness.set("off", current.replacingOccurrences(of: #""enabled": true"#, with: #""enabled": false"#))
        let clockCount = harness.sent("clock").count
        try harness.waitForSent("clock", count: clockCount + 2)
        let settled = harness.sent("off").count
        let frozen = try harness.value("off")
        try harness.waitForSent("clock", count: clockCount + 5)
        #expect(harness.sent("off").count == settled)
        #expect(try harness.value("off") == frozen)
    }
}
