import BeatCore
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// `swiftbeat run --schedule-file FILE` writes each entry of the file only where its key is
/// absent: Redis stays the source of truth, and an entry edited in Redis keeps its edit.
@Suite struct RunScheduleFileTests {
    private func file(_ name: String, _ text: String) throws -> String {
        let url = try temporaryDirectory("schedule-file").appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func aYAMLFileSeedsAbsentKeysOnly() throws {
        let harness = try RunHarness(launch: false)
        let existing = #"{"task": "probe.record", "schedule": {"every": 3600}, "args": ["from redis"], "total_run_count": 9, "owner": "ops"}"#
        try harness.set("existing", existing)
        let path = try file(
            "schedule.yaml",
            """
            existing:
              task: probe.record
              schedule: 1
              args: [from the file]
            fresh:
              task: probe.record
              schedule: 1                  # seconds
              args: [fresh]
            nightly:
              task: probe.record
              schedule: "30 2 * * *"
              options: {queue: reports, expires: 60}
            """)
        try harness.launchBeat(["--schedule-file", path])
        try harness.waitForSent("fresh", count: 2)
        #expect(harness.logLines(containing: "schedule file: 2 entries written, 1 already in redis").count == 1)

        // The key that was there keeps its value, byte for byte; it was not written, and not fired.
        #expect(try harness.value("existing") == existing)
        #expect(harness.sent("existing").isEmpty)
        // The absent ones were written as entries in the current format, and run.
        let fresh = try #require(try harness.entry("fresh"))
        #expect(fresh["task"] == .string("probe.record"))
        #expect(fresh["args"] == .array([.string("fresh")]))
        let freshEntry = try EntryDecoder.decode(key: "fresh", name: "fresh", json: Array(try #require(try harness.value("fresh")).utf8))
        #expect(freshEntry.format == .current)
        #expect(freshEntry.schedule == .interval(try IntervalSchedule(every: 1)))
        #expect(freshEntry.totalRunCount >= 2)
        let nightly = try EntryDecoder.decode(key: "nightly", name: "nightly", json: Array(try #require(try harness.value("nightly")).utf8))
        #expect(nightly.schedule == .crontab(try CrontabSchedule(minute: "30", hour: "2")))
        #expect(nightly.options.queue == "reports" && nightly.options.expires == .after(seconds: 60))
        #expect(try harness.queued().allSatisfy { $0.periodicTaskName == "fresh" && $0.args == [.string("fresh")] })
    }

    @Test func aRestartDoesNotOverwriteEditsOrRunState() throws {
        let harness = try RunHarness(launch: false)
        let path = try file(
            "schedule.json", #"{"tick": {"task": "probe.record", "schedule": {"every": 1, "period": "seconds"}, "args": [1]}}"#)
        try harness.launchBeat(["--schedule-file", path])
        try harness.waitForSent("tick", count: 2)
        harness.beat?.stop()

        // Edited in Redis between two runs: the second run keeps the edit and the count.
        let stored = try #require(try harness.value("tick"))
        let edited = stored.replacingOccurrences(of: #""args": [1]"#, with: #""args": [2]"#)
        try #require(edited != stored)
        try harness.set("tick", edited)
        let count = try harness.runCount("tick")
        try harness.launchBeat(["--schedule-file", path])
        #expect(harness.logLines(containing: "schedule file: 0 entries written, 1 already in redis").count == 1)
        try waitUntil("a firing with the edited args", timeout: .seconds(30)) {
            try harness.queued().contains { $0.args == [.integer(2)] }
        }
        #expect(try harness.entry("tick")?["args"] == .array([.integer(2)]))
        #expect(try harness.runCount("tick") > count)
    }

    @Test func aBadFileIsRefusedBeforeAnythingIsWritten() throws {
        let harness = try RunHarness(launch: false)
        let path = try file("schedule.yaml", "good:\n  task: probe.record\n  schedule: 1\nbad:\n  schedule: 1\n")
        let result = try SwiftbeatBinary.run(
            ["run", "--scheduler-url", harness.schedulerURL, "--broker-url", harness.brokerURL, "--schedule-file", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"entry "bad": missing "task""#), "\(result.stderr)")
        #expect(try harness.schedule.send("DBSIZE").integer == 0)
    }
}
