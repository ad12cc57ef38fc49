import BeatCore
import CivilTime
import Foundation
import JSON
import Testing
import TestSupport

/// Clocked one-offs, `max_run_count`, `start_time` and the entry's own `expires` with a real beat,
/// Redis and a Python worker. A one-second interval entry, "ticker", is the clock the tests wait on
/// to know the beat has had its chances to fire again: no fixed sleeps.
@Suite struct RunLifetimeTests {
    static func iso(_ instant: Instant) -> String { ISO8601.format(instant, utcOffsetSeconds: 0) }

    static let ticker = #"{"task": "probe.record", "schedule": {"every": 1, "period": "seconds"}, "args": ["tick"]}"#

    /// Waits until the ticker has been sent `more` times beyond now: the beat has been through
    /// that many more seconds of firing, reloads included.
    private func waitForTicks(_ harness: RunHarness, more: Int) throws {
        let seen = harness.sent("ticker").count
        _ = try harness.waitForSent("ticker", count: seen + more, timeout: .seconds(60))
    }

    @Test func aClockedOneOffRunsInTheWorkerExactlyOnceAndIsThenDisabledInRedis() throws {
        let venv = try #require(RunWorker.newestVenv)
        let harness = try RunHarness(launch: false)
        let worker = try RunWorker(venv: venv, brokerURL: harness.brokerURL)
        // One instant a few seconds ahead, one that passed an hour ago while no beat ran.
        let soon = SystemClock.now() + .seconds(4)
        try harness.set(
            "soon", #"{"task": "probe.record", "schedule": {"clocked": "\#(Self.iso(soon))"}, "one_off": true, "args": ["soon"]}"#)
        try harness.set(
            "missed",
            #"{"task": "probe.record", "schedule": {"clocked": "\#(Self.iso(SystemClock.now() - .seconds(3600)))"}, "args": ["missed"]}"#)
        try harness.set("ticker", Self.ticker)
        try harness.launchBeat()

        _ = try worker.waitForRecords(where: { $0["args"] == .array([.string("soon")]) }, count: 1)
        #expect(harness.sent("soon").allSatisfy { $0.at >= soon })
        _ = try worker.waitForRecords(where: { $0["args"] == .array([.string("missed")]) }, count: 1)
        let stored = try #require(try harness.entry("soon"))
        #expect(stored["enabled"] == .bool(false))
        #expect(stored["total_run_count"] == .integer(1))
        #expect(try harness.entry("missed")?["enabled"] == nil, "a clocked entry without one_off stays enabled, finished")

        try waitForTicks(harness, more: 4)
        #expect(harness.sent("soon").count == 1)
        #expect(harness.sent("missed").count == 1)
        #expect(worker.records.filter { $0["args"] == .array([.string("soon")]) || $0["args"] == .array([.string("missed")]) }.count == 2)
        #expect(try harness.runCount("missed") == 1)
    }

    @Test func maxRunCountStopsAfterThatManyRuns() throws {
        let venv = try #require(RunWorker.newestVenv)
        let harness = try RunHarness(launch: false)
        let worker = try RunWorker(venv: venv, brokerURL: harness.brokerURL)
        try harness.set(
            "three", #"{"task": "probe.record", "schedule": {"every": 1, "period": "seconds"}, "max_run_count": 3, "args": ["three"]}"#)
        try harness.set("ticker", Self.ticker)
        try harness.launchBeat()

        _ = try worker.waitForRecords(where: { $0["args"] == .array([.string("three")]) }, count: 3)
        try waitForTicks(harness, more: 4)
        #expect(harness.sent("three").count == 3)
        #expect(try harness.runCount("three") == 3)
        #expect(try harness.entry("three")?["enabled"] == nil, "finished, not disabled: stays in Redis as it was")
        #expect(worker.records.filter { $0["args"] == .array([.string("three")]) }.count == 3)
    }

    @Test func startTimeAndExpiresHoldAcrossABeatRestart() throws {
        let harness = try RunHarness(launch: false)
        let start = SystemClock.now() + .seconds(6)
        let end = SystemClock.now() + .seconds(4)
        try harness.set(
            "starts", #"{"task": "probe.record", "schedule": {"every": 1, "period": "seconds"}, "start_time": "\#(Self.iso(start))"}"#)
        try harness.set(
            "ends", #"{"task": "probe.record", "schedule": {"every": 1, "period": "seconds"}, "expires": "\#(Self.iso(end))"}"#)
        try harness.set("ticker", Self.ticker)
        try harness.launchBeat()

        _ = try harness.waitForSent("ends", count: 1)
        #expect(harness.sent("starts").isEmpty || harness.sent("starts").allSatisfy { $0.at >= start })
        harness.stopBeat()
        let endedWith = try harness.runCount("ends")
        try waitUntil("the entry's expiry to pass", timeout: .seconds(30)) { SystemClock.now() > end + .seconds(1) }

        try harness.launchBeat()
        _ = try harness.waitForSent("starts", count: 2)
        try waitForTicks(harness, more: 3)
        #expect(harness.sent("ends").isEmpty, "expired before this beat started")
        #expect(try harness.runCount("ends") == endedWith)
        #expect(harness.sent("starts").allSatisfy { $0.at >= start })
        #expect(try harness.runCount("starts") >= 2)
    }

    @Test func badEntriesAreSkippedWithOneLineNamingTheFieldAndTheRestFire() throws {
        let harness = try RunHarness(launch: false)
        for (name, json) in [
            ("lat91", #"{"task": "t", "schedule": {"solar": "sunset", "lat": 91, "lon": 4.9}}"#),
            ("sunrize", #"{"task": "t", "schedule": {"solar": "sunrize", "lat": 52.37, "lon": 4.9}}"#),
            ("naive", #"{"task": "t", "schedule": {"clocked": "2026-12-24T18:00:00"}}"#),
            ("zero", #"{"task": "t", "schedule": {"every": 1, "period": "seconds"}, "max_run_count": 0}"#),
        ] {
            try harness.set(name, json)
        }
        try harness.set("ticker", Self.ticker)
        try harness.launchBeat()
        try waitForTicks(harness, more: 2)
        for (name, field) in [("lat91", "solar lat: latitude 91.0"), ("sunrize", "solar solar: "), ("naive", "clocked: "), ("zero", "max_run_count")] {
            let lines = harness.logLines(containing: "skipping invalid entry").filter { $0.contains(RunHarness.prefix + name) }
            #expect(lines.count == 1, "\(name): \(lines)")
            #expect(lines.first?.contains(field) == true, "\(name): \(lines)")
        }
        #expect(harness.beat?.isRunning == true)
    }
}
