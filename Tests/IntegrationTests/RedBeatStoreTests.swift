import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// `swiftbeat run --store redbeat` with celery-redbeat 2.4.2 itself: entries written by RedBeat's
/// API and by RedBeat's beat fire from swiftbeat to a real worker, and RedBeat reads back the run
/// state swiftbeat wrote.
@Suite(.serialized) struct RedBeatStoreTests {
    /// Entries saved with `RedBeatSchedulerEntry(...).save()` arrive with their args, kwargs and
    /// queue; afterwards `from_key` reads swiftbeat's meta, `is_due` agrees that the entry has just
    /// run, and the score is the next slot in whole seconds.
    @Test func entriesSavedByRedBeatFireAndRedBeatReadsTheirRunState() throws {
        let venv = try #require(RunWorker.newestVenv)
        let harness = try RunHarness(launch: false)
        let redbeat = RedBeatPython(venv: venv, harness: harness)
        try redbeat.save("add", #"{"task": "tasks.add", "every": 4, "args": [2, 3], "options": {"queue": "redbeat-q"}}"#)
        try redbeat.save("multiply", #"{"task": "tasks.multiply", "every": 4, "args": [4], "kwargs": {"y": 5}}"#)
        // Due only on 1 January at midnight: read from the index, never loaded meanwhile.
        try redbeat.save(
            "new-year", #"{"task": "tasks.add", "crontab": {"minute": "0", "hour": "0", "day_of_month": "1", "month_of_year": "1"}, "args": [0, 0]}"#)
        let worker = try RunWorker(venv: venv, brokerURL: harness.brokerURL, queues: ["celery", "redbeat-q"])
        try harness.launchBeat(["--store", "redbeat"])

        let added = try worker.waitForRecords(where: { $0["task"]?.stringValue == "tasks.add" }, count: 2)
        #expect(added.allSatisfy { $0["args"] == .array([.integer(2), .integer(3)]) && $0["routing_key"]?.stringValue == "redbeat-q" })
        let multiplied = try worker.waitForRecords(where: { $0["task"]?.stringValue == "tasks.multiply" }, count: 1)
        #expect(multiplied.first?["args"] == .array([.integer(4), .integer(5)]))
        let beat = try #require(harness.beat)
        harness.stopBeat()
        let sent = beat.log.split(separator: "\n").compactMap { RunSentLine(String($0)) }

        let addSent = sent.filter { $0.entry == "add" }
        #expect(sent.allSatisfy { $0.entry != "new-year" })
        let state = try redbeat.inspect("add")
        #expect(state["total_run_count"]?.numberValue?.int64Value == Int64(addSent.count))
        let lastRunAt = try #require(state["last_run_at"]?.numberValue?.doubleValue)
        let lastSent = try #require(addSent.last).at
        let sentSeconds = Double(lastSent.microsecondsSinceEpoch) / 1_000_000
        // The run state is written at commit, just before the "sent" line.
        #expect(lastRunAt <= sentSeconds && lastRunAt > sentSeconds - 1, "last_run_at \(lastRunAt), sent at \(sentSeconds)")
        #expect(state["is_due"] == .bool(false))
        let nextCheck = try #require(state["next_check"]?.numberValue?.doubleValue)
        #expect(nextCheck > 0 && nextCheck <= 4)
        #expect(state["score"]?.numberValue?.doubleValue == (lastRunAt + 4).rounded(.down))
        #expect(state["args"] == .array([.integer(2), .integer(3)]))
        #expect(try redbeat.inspect("multiply")["total_run_count"]?.numberValue?.int64Value == Int64(sent.filter { $0.entry == "multiply" }.count))
    }

    /// An `rrule` saved by RedBeat's own API (every 3 seconds, twice) fires twice from swiftbeat to a
    /// real worker; then its score is -1, RedBeat's "no more events", and RedBeat agrees it is not due.
    @Test func anRruleSavedByRedBeatFiresItsOccurrencesThenScoresMinusOne() throws {
        let venv = try #require(RunWorker.newestVenv)
        let harness = try RunHarness(launch: false)
        let redbeat = RedBeatPython(venv: venv, harness: harness)
        let start = Int(Date().timeIntervalSince1970) + 3
        try redbeat.save(
            "twice", #"{"task": "tasks.add", "args": [7, 8], "rrule": {"freq": "SECONDLY", "interval": 3, "count": 2, "dtstart": \#(start)}}"#)
        let worker = try RunWorker(venv: venv, brokerURL: harness.brokerURL, queues: ["celery"])
        try harness.launchBeat(["--store", "redbeat"])
        let added = try worker.waitForRecords(where: { $0["task"]?.stringValue == "tasks.add" }, count: 2)
        #expect(added.allSatisfy { $0["args"] == .array([.integer(7), .integer(8)]) })
        Thread.sleep(forTimeInterval: 4)
        let beat = try #require(harness.beat)
        harness.stopBeat()
        let sent = beat.log.split(separator: "\n").compactMap { RunSentLine(String($0)) }.filter { $0.entry == "twice" }
        #expect(sent.count == 2)
        if sent.count == 2 {
            #expect(sent[0].at.microsecondsSinceEpoch >= Int64(start) * 1_000_000)
            #expect(sent[1].at.microsecondsSinceEpoch >= Int64(start + 3) * 1_000_000)
        }
        let state = try redbeat.inspect("twice")
        #expect(state["total_run_count"]?.numberValue?.int64Value == 2)
        #expect(state["score"]?.numberValue?.doubleValue == -1)
        #expect(state["is_due"] == .bool(false))
    }

    /// `beat_schedule` statics written by a real `celery beat -S redbeat.RedBeatScheduler` (its
    /// `setup_schedule`) fire from swiftbeat once RedBeat's beat has stopped and let the lock go.
    @Test func staticsLoadedByRedBeatsBeatFireFromSwiftbeat() throws {
        let venv = try #require(RunWorker.newestVenv)
        let harness = try RunHarness(launch: false)
        let redbeat = RedBeatPython(
            venv: venv, harness: harness, beatSchedule: #"{"static-add": {"task": "tasks.add", "every": 1, "args": [7, 8]}}"#)
        let python = try redbeat.launchBeat()
        try waitUntil("RedBeat's beat to write its statics and take the lock:\n\(python.log.suffix(2000))", timeout: .seconds(60)) {
            try harness.schedule.send("SISMEMBER", "redbeat::statics", "static-add").integer == 1 && harness.redBeatLockHolder() != nil
        }
        python.stop()
        #expect(try harness.redBeatLockHolder() == nil, "RedBeat's beat released its lock when stopped")
        // Only what swiftbeat sends from here on reaches the worker.
        _ = try harness.brokerRedis?.send("DEL", "celery")

        let worker = try RunWorker(venv: venv, brokerURL: harness.brokerURL)
        try harness.launchBeat(["--store", "redbeat"])
        let lines = try harness.waitForSent("static-add", count: 2)
        for line in lines.prefix(2) {
            let id = try #require(line.id)
            let record = try #require(try worker.waitForRecords(where: { $0["id"]?.stringValue == id }, count: 1).first)
            #expect(record["args"] == .array([.integer(7), .integer(8)]))
        }
    }

    /// An entry written as RedBeat's docs say (only a `definition`, `ZADD ... 0`) never ran, and
    /// RedBeat's `is_due` then says it is due at once, whatever its interval or crontab: it fires
    /// at once, once, and its next firing waits for the schedule.
    @Test func anEntryThatNeverRanFiresAtOnceAsInRedBeat() throws {
        let harness = try RunHarness(launch: false)
        for (name, schedule) in [
            ("hourly", #"{"__type__": "interval", "every": 3600.0, "relative": false}"#),
            ("new-year", #"{"__type__": "crontab", "minute": "0", "hour": "0", "day_of_week": "*", "day_of_month": "1", "month_of_year": "1"}"#),
        ] {
            let definition = #"{"name": "\#(name)", "task": "probe.record", "args": [], "kwargs": {}, "options": {}, "schedule": \#(schedule), "enabled": true}"#
            _ = try harness.schedule.send("HSET", "redbeat:\(name)", "definition", definition)
            _ = try harness.schedule.send("ZADD", "redbeat::schedule", 0, "redbeat:\(name)")
        }
        try harness.launchBeat(["--store", "redbeat"])
        try harness.waitForSent("hourly", count: 1)
        try harness.waitForSent("new-year", count: 1)
        // Run once, and scored for the schedule's next slot: an hour on, and next 1 January.
        let now = Double(SystemClock.now().microsecondsSinceEpoch / 1_000_000)
        for name in ["hourly", "new-year"] {
            let meta = try #require(try harness.schedule.send("HGET", "redbeat:\(name)", "meta").string)
            #expect(meta.contains(#""total_run_count": 1"#), "\(name): \(meta)")
        }
        let hourly = try #require(try harness.schedule.send("ZSCORE", "redbeat::schedule", "redbeat:hourly").string.flatMap { Double($0) })
        #expect(hourly > now + 3500 && hourly <= now + 3600, "\(hourly)")
        let newYear = try #require(try harness.schedule.send("ZSCORE", "redbeat::schedule", "redbeat:new-year").string.flatMap { Double($0) })
        let wall = CivilDateTime(Instant(microsecondsSinceEpoch: Int64(newYear) * 1_000_000))
        #expect(wall.month == 1 && wall.day == 1 && wall.hour == 0 && wall.minute == 0 && newYear > now, "\(wall)")
    }

    /// Bad data under the prefix (a hash without `definition`, a definition RedBeat cannot decode,
    /// a string where a hash belongs) is logged once each and skipped; the good entry fires.
    @Test func badRedBeatEntriesAreLoggedOnceAndSkipped() throws {
        let harness = try RunHarness(launch: false)
        let now = Int(SystemClock.now().microsecondsSinceEpoch / 1_000_000)
        let good = #"{"name": "good", "task": "probe.record", "args": [], "kwargs": {}, "options": {}, "schedule": {"__type__": "interval", "every": 1.0, "relative": false}, "enabled": true}"#
        _ = try harness.schedule.send("HSET", "redbeat:good", "definition", good)
        _ = try harness.schedule.send("HSET", "redbeat:no-definition", "meta", #"{"last_run_at": null}"#)
        _ = try harness.schedule.send("HSET", "redbeat:garbled", "definition", #"{"task": "probe.record", "schedule": {"__type__": "solar"}}"#)
        _ = try harness.schedule.send("SET", "redbeat:a-string", "{}")
        for name in ["good", "no-definition", "garbled", "a-string"] {
            _ = try harness.schedule.send("ZADD", "redbeat::schedule", now - 10, "redbeat:\(name)")
        }
        try harness.launchBeat(["--store", "redbeat"])
        try harness.waitForSent("good", count: 3)
        for name in ["no-definition", "garbled", "a-string"] {
            #expect(harness.logLines(containing: "redbeat:\(name)").filter { $0.contains("skipping invalid entry") }.count == 1, "\(name)")
        }
        #expect(try harness.schedule.send("TYPE", "redbeat:a-string").string == "string")
        #expect(try harness.schedule.send("HGET", "redbeat:no-definition", "meta").string == #"{"last_run_at": null}"#)
    }
}
