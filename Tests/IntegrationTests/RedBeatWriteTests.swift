import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// The management commands with `--store redbeat`, checked by celery-redbeat 2.4.2 itself:
/// `RedBeatSchedulerEntry.from_key` reads every entry swiftbeat wrote with the fields given, its
/// `save()` would write the very same `definition`, and a real RedBeat beat fires what swiftbeat added.
@Suite(.serialized) struct RedBeatWriteTests {
    /// `swiftbeat ARGS --store redbeat` on the harness's Redis; the exit status and output.
    static func swiftbeat(_ harness: RunHarness, _ arguments: [String]) throws -> SwiftbeatBinary.Result {
        try SwiftbeatBinary.run(arguments + ["--store", "redbeat", "--scheduler-url", harness.schedulerURL])
    }

    static func succeeds(_ harness: RunHarness, _ arguments: String...) throws {
        let result = try swiftbeat(harness, arguments)
        try #require(result.status == 0, "swiftbeat \(arguments.joined(separator: " ")): \(result.stdout)\(result.stderr)")
    }

    /// add (interval, crontab, rrule; args, kwargs, queue), edit, disable, enable, import and
    /// remove, each read back by RedBeat's own `from_key`.
    @Test func entriesWrittenByTheCommandsAreReadByRedBeatsOwnAPI() throws {
        let venv = try #require(RunWorker.newestVenv)
        let harness = try RunHarness(launch: false)
        let redbeat = RedBeatPython(venv: venv, harness: harness)
        let before = Date().timeIntervalSince1970.rounded(.down)
        try Self.succeeds(
            harness, "add", "every-30s", "--task", "tasks.add", "--every", "30s", "--args", "[16, 16]", "--kwargs", #"{"z": 1}"#,
            "--queue", "redbeat-q")
        try Self.succeeds(harness, "add", "weekdays", "--task", "reports.weekly", "--crontab", "30 7 * * mon-fri")
        try Self.succeeds(harness, "add", "two-minutes", "--task", "tasks.tick", "--rrule", "DTSTART:20260101T090000Z\nRRULE:FREQ=MINUTELY;INTERVAL=2;COUNT=1000")
        let after = Date().timeIntervalSince1970.rounded(.up)

        var read = try redbeat.read("every-30s", "weekdays", "two-minutes")
        for name in ["every-30s", "weekdays", "two-minutes"] {
            let entry = try #require(read[name]?.objectValue, "\(name): \(read)")
            #expect(entry["name"] == .string(name))
            #expect(entry["definition"] != nil && entry["definition"] == entry["resaved"], "RedBeat's save() writes what swiftbeat wrote")
            #expect(entry["meta"] == .string(#"{"last_run_at": null}"#))
            // Never run: due at once, in RedBeat as in swiftbeat, and scored now.
            #expect(entry["is_due"] == .bool(true))
            let score = try #require(entry["score"]?.numberValue?.doubleValue)
            #expect(score >= before && score <= after, "\(name) scored \(score), added in [\(before), \(after)]")
            #expect(entry["enabled"] == .bool(true))
        }
        let every = try #require(read["every-30s"]?.objectValue)
        #expect(every["task"] == .string("tasks.add"))
        #expect(every["args"] == .array([.integer(16), .integer(16)]))
        #expect(every["kwargs"] == .object(["z": .integer(1)]))
        #expect(every["options"]?.objectValue?["queue"] == .string("redbeat-q"))
        #expect(every["schedule"] == .object(["__type__": .string("interval"), "every": .double(30), "relative": .bool(false)]))
        let weekdays = try #require(read["weekdays"]?.objectValue?["schedule"]?.objectValue)
        #expect(weekdays["__type__"] == .string("crontab") && weekdays["minute"] == .string("30") && weekdays["day_of_week"] == .string("mon-fri"))
        let rrule = try #require(read["two-minutes"]?.objectValue?["schedule"]?.objectValue)
        #expect(rrule["__type__"] == .string("rrule") && rrule["interval"] == .integer(2) && rrule["count"] == .integer(1000))
        #expect(rrule["dtstart"] == .integer(1_767_258_000))

        // A run recorded as RedBeat's beat records it: edit keeps it, and rescores from it.
        let lastRun = Int(before) - 10
        _ = try harness.schedule.send(
            "HSET", "redbeat:every-30s", "meta", #"{"last_run_at": \#(Self.redBeatDatetime(lastRun)), "total_run_count": 3}"#)
        try Self.succeeds(harness, "edit", "every-30s", "--args", "[1, 2]", "--every", "1m")
        try Self.succeeds(harness, "disable", "weekdays")
        read = try redbeat.read("every-30s", "weekdays")
        let edited = try #require(read["every-30s"]?.objectValue)
        #expect(edited["args"] == .array([.integer(1), .integer(2)]))
        #expect(edited["kwargs"] == .object(["z": .integer(1)]), "what edit was not given stays")
        #expect(edited["schedule"]?.objectValue?["every"] == .double(60))
        #expect(edited["total_run_count"] == .integer(3))
        #expect(edited["is_due"] == .bool(false))
        #expect(edited["score"]?.numberValue?.doubleValue == Double(lastRun + 60), "the slot after the recorded run")
        #expect(edited["definition"] == edited["resaved"])
        let disabled = try #require(read["weekdays"]?.objectValue)
        #expect(disabled["enabled"] == .bool(false))
        #expect(disabled["is_due"] == .bool(false), "RedBeat's is_due for a disabled entry")
        #expect(disabled["score"]?.numberValue != nil, "a disabled entry stays in the index, as with RedBeat's save()")
        try Self.succeeds(harness, "enable", "weekdays")
        #expect(try redbeat.read("weekdays")["weekdays"]?.objectValue?["enabled"] == .bool(true))

        // import: a file's entries, then remove deletes hash and index member as RedBeat's delete() does.
        let file = try temporaryDirectory("redbeat-import").appendingPathComponent("schedule.yaml")
        try """
            imported-add:
              task: tasks.add
              schedule: 5m
              args: [3, 4]
            imported-cron:
              task: tasks.report
              schedule: "0 3 * * *"
              options: {queue: reports}
            """.write(to: file, atomically: true, encoding: .utf8)
        try Self.succeeds(harness, "import", file.path)
        try Self.succeeds(harness, "remove", "every-30s")
        read = try redbeat.read("imported-add", "imported-cron", "every-30s")
        #expect(read["imported-add"]?.objectValue?["args"] == .array([.integer(3), .integer(4)]))
        #expect(read["imported-add"]?.objectValue?["schedule"]?.objectValue?["every"] == .double(300))
        #expect(read["imported-cron"]?.objectValue?["options"]?.objectValue?["queue"] == .string("reports"))
        #expect(read["imported-cron"]?.objectValue?["definition"] == read["imported-cron"]?.objectValue?["resaved"])
        #expect(read["every-30s"]?.objectValue?["key_error"] == .bool(true), "from_key raises KeyError for a removed entry")
        #expect(read["every-30s"]?.objectValue?["score"] == .null, "and its index member is gone")

        // The read side, on what the commands wrote.
        for command in [["list"], ["show", "imported-cron"], ["check"], ["export"]] {
            let result = try Self.swiftbeat(harness, command)
            #expect(result.status == 0, "swiftbeat \(command.joined(separator: " ")): \(result.stdout)\(result.stderr)")
        }
        #expect(try Self.swiftbeat(harness, ["export"]).stdout.contains("imported-add"))
        // No beat runs here: status says so (exit 3) and counts the entries.
        let status = try Self.swiftbeat(harness, ["status"])
        #expect(status.status == 3 && status.stdout.contains("entries: 4 under redbeat: (0 invalid)"), "\(status.stdout)\(status.stderr)")
    }

    /// A UTC instant as RedBeat's encoder writes a datetime.
    static func redBeatDatetime(_ seconds: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return #"{"__type__": "datetime", "year": \#(c.year!), "month": \#(c.month!), "day": \#(c.day!), "hour": \#(c.hour!), "minute": \#(c.minute!), "second": \#(c.second!), "microsecond": 0, "timezone": "UTC"}"#
    }

    /// What RedBeat cannot hold is refused with one line naming the problem, exit 1, nothing written.
    @Test func whatRedBeatCannotHoldIsRefusedAndNothingIsWritten() throws {
        let harness = try RunHarness(launch: false)
        let refusals: [(arguments: [String], names: String)] = [
            (["add", "sunset", "--task", "t", "--solar", "sunset", "--lat", "52.3", "--lon", "4.9"], "solar"),
            (["add", "xmas", "--task", "t", "--at", "2030-12-24T18:00:00+01:00"], "clocked"),
            (["add", "capped", "--task", "t", "--every", "1m", "--max-runs", "5"], "max_run_count"),
            (["add", "zoned", "--task", "t", "--rrule", "DTSTART;TZID=Europe/Berlin:20260101T090000\nRRULE:FREQ=DAILY"], "DTSTART"),
        ]
        for refusal in refusals {
            let result = try Self.swiftbeat(harness, refusal.arguments)
            #expect(result.status == 1, "\(refusal.arguments): \(result.stdout)\(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && result.stderr.contains(refusal.names), "\(refusal.arguments): \(result.stderr)")
        }
        // A file with one entry RedBeat cannot hold: none of it is written.
        let file = try temporaryDirectory("redbeat-import-bad").appendingPathComponent("schedule.json")
        try #"{"fine": {"task": "t", "schedule": 60}, "sunny": {"task": "t", "schedule": {"solar": "sunrise", "lat": 1, "lon": 2}}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let imported = try Self.swiftbeat(harness, ["import", file.path])
        #expect(imported.status == 1 && imported.stderr.contains("sunny") && imported.stderr.split(separator: "\n").count == 1, "\(imported.stderr)")
        #expect(try harness.schedule.send("DBSIZE").integer == 0, "nothing written")

        // An edit to a kind RedBeat cannot hold leaves the entry as it was.
        try Self.succeeds(harness, "add", "kept", "--task", "t", "--every", "1m")
        let definition = try harness.schedule.send("HGET", "redbeat:kept", "definition").string
        let edited = try Self.swiftbeat(harness, ["edit", "kept", "--solar", "sunset", "--lat", "1", "--lon", "2"])
        #expect(edited.status == 1 && edited.stderr.contains("solar"), "\(edited.stderr)")
        #expect(try harness.schedule.send("HGET", "redbeat:kept", "definition").string == definition)
    }

    /// An entry added by `swiftbeat add --store redbeat` fires from a real Python RedBeat beat
    /// (`celery beat -S redbeat.RedBeatScheduler`) to a real worker, with its args.
    @Test func anEntryAddedBySwiftbeatFiresFromPythonRedBeat() throws {
        let venv = try #require(RunWorker.newestVenv)
        let harness = try RunHarness(launch: false)
        let redbeat = RedBeatPython(venv: venv, harness: harness)
        try Self.succeeds(harness, "add", "from-swiftbeat", "--task", "tasks.add", "--every", "1s", "--args", "[20, 22]")
        let worker = try RunWorker(venv: venv, brokerURL: harness.brokerURL, queues: ["celery"])
        let python = try redbeat.launchBeat()
        defer { python.stop() }
        let added = try worker.waitForRecords(where: { $0["task"]?.stringValue == "tasks.add" }, count: 2)
        #expect(added.allSatisfy { $0["args"] == .array([.integer(20), .integer(22)]) })
        python.stop()
        let state = try #require(try redbeat.read("from-swiftbeat")["from-swiftbeat"]?.objectValue)
        #expect((state["total_run_count"]?.numberValue?.int64Value ?? 0) >= 2)
    }
}
