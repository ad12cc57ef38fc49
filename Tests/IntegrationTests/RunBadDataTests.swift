import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// Every kind of bad data beside a good entry: each bad key is logged once per change of it with
/// its reason, never written to, and the good entry keeps firing on time; the process never exits.
@Suite struct RunBadDataTests {
    static let bad: [(name: String, value: String, reason: String)] = [
        ("invalid-json", #"{"task": "probe.record", "schedule": {"every": 1"#, "invalid JSON"),
        // Quotes inside a logged value are escaped, so every log line splits back into its fields.
        ("missing-task", #"{"schedule": {"every": 1}}"#, #"missing \"task\""#),
        ("unknown-period", #"{"task": "probe.record", "schedule": {"every": 1, "period": "fortnights"}}"#, "fortnights"),
        ("bad-interval", #"{"task": "probe.record", "interval": {"every": 0, "period": "seconds"}}"#, "must be positive"),
        ("bad-crontab", #"{"task": "probe.record", "crontab": {"minute": "61", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}}"#, "crontab field minute"),
        ("not-an-object", #"["probe.record"]"#, "must be a JSON object"),
        ("bad-option", #"{"task": "probe.record", "schedule": {"every": 1}, "options": {"priority": "high"}}"#, "option priority"),
    ]

    private func invalidLines(_ harness: RunHarness, _ name: String) -> [String] {
        harness.logLines(containing: "skipping invalid entry").filter { $0.contains("key=\(RunHarness.prefix)\(name) ") }
    }

    @Test func badDataIsLoggedOncePerChangeNeverWrittenAndTheGoodEntryKeepsFiring() throws {
        let harness = try RunHarness(launch: false)
        try harness.set("good", #"{"task": "probe.record", "schedule": {"every": 1}, "args": ["good"]}"#)
        for entry in Self.bad {
            try harness.set(entry.name, entry.value)
        }
        let hashKey = RunHarness.prefix + "a-hash"
        _ = try harness.schedule.send("HSET", hashKey, "task", "probe.record", "every", "1")
        try harness.launchBeat()

        // Six firings of the good entry, about a second apart, while the beat re-reads every second.
        let firings = try harness.waitForSent("good", count: 6)
        for (previous, next) in zip(firings.dropFirst(), firings.dropFirst(2)) {
            let gap = next.at - previous.at
            #expect(gap >= Microseconds(900_000) && gap < .seconds(2), "gap of \(gap.seconds) s")
        }
        #expect(try harness.runCount("good") >= 6)

        // Each logged exactly once, with the key and the reason, however many reloads passed.
        for entry in Self.bad {
            let lines = invalidLines(harness, entry.name)
            #expect(lines.count == 1, "\(entry.name): \(lines)")
            #expect(lines.first?.contains(entry.reason) == true, "\(entry.name): \(lines)")
            #expect(lines.first?.contains(" error ") == true)
            #expect(try harness.value(entry.name) == entry.value, "\(entry.name) was written to")
        }
        let hashLines = invalidLines(harness, "a-hash")
        #expect(hashLines.count == 1 && hashLines.first?.contains("the key holds a redis hash, not a string of JSON") == true, "\(hashLines)")
        #expect(try harness.schedule.send("TYPE", hashKey).string == "hash")
        #expect(try harness.schedule.send("HGETALL", hashKey).array?.count == 4)

        // A change to a bad key is logged once more (with the new reason); an unchanged one is not.
        try harness.set("missing-task", #"{"task": "", "schedule": {"every": 1}}"#)
        try waitUntil("the changed key to be logged again", timeout: .seconds(30)) {
            invalidLines(harness, "missing-task").count == 2
        }
        let goodCount = harness.sent("good").count
        try harness.waitForSent("good", count: goodCount + 3)
        #expect(invalidLines(harness, "missing-task").count == 2)
        #expect(invalidLines(harness, "missing-task").last?.contains("must be a non-empty string") == true)
        #expect(invalidLines(harness, "invalid-json").count == 1)

        // Fixed: it loads and fires; broken again: logged again and skipped.
        try harness.set("missing-task", #"{"task": "probe.record", "schedule": {"every": 1}, "args": ["fixed"]}"#)
        try harness.waitForSent("missing-task", count: 1)
        #expect(harness.logLines(containing: "entry is valid again").contains { $0.contains("entry=missing-task") })

        #expect(harness.sent().allSatisfy { $0.entry == "good" || $0.entry == "missing-task" })
        #expect(try harness.queued().allSatisfy { $0.args == [.string("good")] || $0.args == [.string("fixed")] })
        #expect(harness.beat?.isRunning == true)
    }

    /// A good entry that turns bad while the beat runs stops firing, and is left as the user wrote it.
    @Test func anEntryThatTurnsBadStopsAndIsLeftAlone() throws {
        let harness = try RunHarness(launch: false)
        try harness.set("flaky", #"{"task": "probe.record", "schedule": {"every": 1}}"#)
        try harness.set("good", #"{"task": "probe.record", "schedule": {"every": 1}}"#)
        try harness.launchBeat()
        try harness.waitForSent("flaky", count: 2)
        let broken = #"{"task": "probe.record", "schedule": {"every": 1}, "total_run_count": "many"}"#
        try harness.set("flaky", broken)
        try waitUntil("the broken entry to be logged", timeout: .seconds(30)) { !invalidLines(harness, "flaky").isEmpty }
        let flakyCount = harness.sent("flaky").count
        let goodCount = harness.sent("good").count
        try harness.waitForSent("good", count: goodCount + 3)
        #expect(harness.sent("flaky").count == flakyCount)
        #expect(try harness.value("flaky") == broken)
        #expect(invalidLines(harness, "flaky").count == 1)
    }
}
