import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// `swiftbeat run` as a process: one log line per task sent, `--log-level`, sleeping without CPU
/// while idle, and SIGTERM honoured whoever started it.
@Suite struct RunProcessTests {
    private func entry(every seconds: Int, queue: String? = nil, lastRunAt: Instant? = nil) -> String {
        var json = #"{"task": "probe.record", "schedule": {"every": \#(seconds)}"#
        if let queue { json += #", "options": {"queue": "\#(queue)"}"# }
        if let lastRunAt { json += #", "last_run_at": \#(RunHarness.componentDatetime(lastRunAt))"# }
        return json + "}"
    }

    @Test func oneInfoLinePerTaskSentWithEntryTaskIdAndQueue() throws {
        let harness = try RunHarness(launch: false)
        try harness.set("to-celery", entry(every: 1))
        try harness.set("to-reports", entry(every: 1, queue: "reports"))
        try harness.launchBeat()
        try harness.waitForSent("to-celery", count: 3)
        try harness.waitForSent("to-reports", count: 3)
        harness.beat?.stop()

        let messages = try harness.queued("celery") + harness.queued("reports")
        let lines = harness.sent()
        #expect(lines.count == messages.count)
        #expect(Set(lines.compactMap(\.id)) == Set(messages.compactMap(\.id)))
        for line in lines {
            let message = try #require(messages.first { $0.id == line.id }, "\(line)")
            #expect(line.level == "info")
            #expect(line.entry == message.periodicTaskName)
            #expect(line.metadata["task"] == "probe.record")
            #expect(line.metadata["queue"] == (line.entry == "to-reports" ? "reports" : "celery"))
        }
    }

    @Test func logLevelWarningHidesInfoButNotErrors() throws {
        let harness = try RunHarness(launch: false)
        try harness.set("quiet", entry(every: 1))
        try harness.set("broken", "{not json")
        try harness.launchBeat(["--log-level", "warning"], waitForLeadership: false)
        try waitUntil("two firings", timeout: .seconds(30)) { try harness.runCount("quiet") >= 2 }
        #expect(harness.sent().isEmpty)
        #expect(harness.logLines(containing: " info ").isEmpty)
        #expect(harness.logLines(containing: " notice ").isEmpty)
        #expect(harness.logLines(containing: "error skipping invalid entry").count == 1)
    }

    @Test func logLevelDebugShowsEntryChanges() throws {
        let harness = try RunHarness(launch: false)
        try harness.set("chatty", entry(every: 3600))
        try harness.launchBeat(["--log-level", "debug"])
        try harness.set("chatty", entry(every: 1800))
        try waitUntil("a debug line about the change", timeout: .seconds(30)) {
            !harness.logLines(containing: "debug entry changed").filter { $0.contains("entry=chatty") }.isEmpty
        }
    }

    @Test func anUnknownLogLevelIsRefused() throws {
        let result = try SwiftbeatBinary.run(["run", "--log-level", "verbose"])
        #expect(result.status == 1)  // bad input (CommandFailure)
        #expect(result.stderr.contains("--log-level must be debug, info, warning or error, not verbose"))
    }

    /// An idle beat sleeps until its next deadline: a few seconds of it cost almost no CPU.
    @Test func anIdleBeatUsesNoCPU() throws {
        let harness = try RunHarness(launch: false)
        for index in 0..<50 {
            try harness.set("hourly-\(index)", entry(every: 3600))
        }
        try harness.launchBeat(["--max-interval", "5", "--reload-interval", "5"])
        try waitUntil("the entries to load", timeout: .seconds(30)) {
            harness.logLines(containing: "all entries loaded").first?.contains(" entries=50 ") == true
        }
        let before = try harness.beatCPUSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        try waitUntil("six seconds to pass", timeout: .seconds(30), pollingEvery: .milliseconds(500)) { clock.now - start >= .seconds(6) }
        let used = try harness.beatCPUSeconds() - before
        // A busy loop would use about 6 s; a reload of 50 entries costs well under a millisecond.
        #expect(used < 0.3, "the idle beat used \(used) s of CPU in 6 s")
        #expect(harness.sent().isEmpty)
    }

    /// Started with SIGTERM blocked (Foundation's Process passes on the test runner's mask, as some
    /// supervisors do), the beat still stops at once on SIGTERM and releases its lock.
    @Test func sigtermStopsTheBeatAndReleasesTheLock() throws {
        let harness = try RunHarness()
        let beat = try #require(harness.beat)
        let lockKey = "celery:beat:task_lock"
        #expect(try harness.schedule.send("EXISTS", lockKey).integer == 1)
        let clock = ContinuousClock()
        let start = clock.now
        beat.signal(SIGTERM)
        let status = try beat.waitForExit(timeout: .seconds(30))
        #expect(clock.now - start < .seconds(5))
        #expect(status == 0)
        #expect(beat.log.contains("released the lock"))
        #expect(try harness.schedule.send("EXISTS", lockKey).integer == 0)
    }
}
