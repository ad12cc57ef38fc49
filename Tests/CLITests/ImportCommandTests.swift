import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

@Suite struct ImportCommandTests {
    private func file(_ text: String, _ name: String = "schedule.yaml") throws -> String {
        let url = try temporaryDirectory("import").appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func writesOnlyAbsentKeysWithoutReplace() throws {
        let schedule = try ManagedSchedule()
        try schedule.set("existing", #"{"task": "mine", "schedule": {"every": 5}}"#)
        let path = try file(
            """
            # the team's schedule
            existing:
              task: theirs
              schedule: 10
            add-every-30s:
              task: tasks.add
              schedule: 30s
              args: [16, 16]
            monday:
              task: reports.weekly
              schedule: "30 7 * * mon"
              options: {queue: reports}
            """)
        let result = try schedule.swiftbeat("import", path)
        #expect(result.status == 0, "\(result.output)")
        #expect(
            result.stdout
                == "skipped tasks:meta:existing (exists; --replace overwrites it)\nadded tasks:meta:add-every-30s\nadded tasks:meta:monday\n2 added, 1 skipped\n"
        )
        #expect(try schedule.object("existing")?["task"] == .string("mine"))
        #expect(
            try schedule.get("add-every-30s")
                == #"{"name": "add-every-30s", "task": "tasks.add", "enabled": true, "schedule": {"every": 30, "period": "seconds"}, "args": [16, 16], "kwargs": {}, "options": {}}"#
        )

        let replaced = try schedule.swiftbeat("import", path, "--replace")
        #expect(replaced.status == 0)
        #expect(replaced.stdout == "replaced tasks:meta:existing\nunchanged tasks:meta:add-every-30s\nunchanged tasks:meta:monday\n1 replaced, 2 unchanged\n")
        #expect(try schedule.object("existing")?["task"] == .string("theirs"))
    }

    @Test func anInvalidFileWritesNothing() throws {
        let schedule = try ManagedSchedule()
        let path = try file("good:\n  task: t\n  schedule: 5\nbad:\n  task: t\n  schedule: \"0 0 30 2 *\"\n")
        let result = try schedule.swiftbeat("import", path)
        #expect(result.status == 1)
        #expect(result.stderr == "swiftbeat: \(path) line 4: entry \"bad\": schedule: crontab can never fire: day_of_month 30 with month_of_year 2\n")
        #expect(try schedule.keys().isEmpty)
        let yamlError = try schedule.swiftbeat("import", try file("a:\n\tb: 1\n"))
        #expect(yamlError.status == 1)
        #expect(yamlError.stderr.contains("line 2: tabs cannot indent YAML"))
        let missing = try schedule.swiftbeat("import", "/nonexistent/schedule.yaml")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read /nonexistent/schedule.yaml"))
    }

    @Test func anImportIsAnnouncedOnce() throws {
        let schedule = try ManagedSchedule()
        let subscriber = try RedisConnection(configuration: try RedisConfiguration(url: schedule.server.url))
        defer { subscriber.close() }
        try subscriber.subscribe(channels: ["swiftbeat:changes:1:tasks:meta:"])
        _ = try subscriber.readReplies(timeout: .seconds(5))
        let path = try file(#"{"a": {"task": "t", "schedule": 5}, "b": {"task": "t", "schedule": 6}}"#, "s.json")
        #expect(try schedule.swiftbeat("import", path).status == 0)
        let messages = try subscriber.readReplies(timeout: .seconds(5))
        #expect(messages.compactMap { $0.array?.last?.string } == ["*"], "\(messages)")
    }
}

@Suite struct ExportCommandTests {
    @Test func exportThenImportReproducesTheEntries() throws {
        let source = try ManagedSchedule()
        let entries = [
            "crontab": #"{"name": "crontab", "task": "reports.weekly", "enabled": true, "schedule": {"minute": 30, "hour": "7", "day_of_week": "mon-fri", "day_of_month": "*", "month_of_year": "*"}, "args": ["07", "yes", 1.50, null, "a: b # c", "multi\nline", "\u00e9"], "kwargs": {"nested": {"list": [1, [2, {}]]}}, "options": {"queue": "reports", "expires": 3600, "headers": {"x": "y"}}}"#,
            "interval": #"{"name": "interval", "task": "tasks.add", "enabled": false, "schedule": {"every": 2.5, "period": "minutes", "relative": true}, "args": [], "kwargs": {}, "options": {}, "custom": "kept"}"#,
            "renamed": #"{"name": "tasks:meta:renamed", "task": "t", "enabled": true, "schedule": {"every": 1, "period": "days"}, "args": [], "kwargs": {}, "options": {}}"#,
        ]
        for (name, json) in entries { try source.set(name, json) }
        try source.set("interval", String(try #require(entries["interval"]).dropLast()) + #", "total_run_count": 5}"#)

        for format in ["yaml", "json"] {
            let exported = try source.swiftbeat("export", "--format", format)
            #expect(exported.status == 0, "\(exported.output)")
            #expect(!exported.stdout.contains("total_run_count"))
            let url = try temporaryDirectory("export").appendingPathComponent("schedule.\(format)")
            try exported.stdout.write(to: url, atomically: true, encoding: .utf8)
            let target = try ManagedSchedule()
            let imported = try target.swiftbeat("import", url.path)
            #expect(imported.status == 0, "\(imported.output)")
            #expect(try target.keys() == entries.keys.map { "tasks:meta:" + $0 }.sorted())
            for (name, json) in entries {
                #expect(try target.get(name) == json, "\(format) \(name)\n\(exported.stdout)")
            }
        }
    }

    @Test func invalidEntriesAreLeftOutAndTheExitIsOne() throws {
        let schedule = try ManagedSchedule()
        try schedule.set("good", #"{"task": "t", "schedule": {"every": 5}}"#)
        try schedule.set("bad", #"{"task": "t", "schedule": {"every": -5}}"#)
        let result = try schedule.swiftbeat("export")
        #expect(result.status == 1)
        #expect(result.stdout.contains("good:\n  task: t\n  schedule: {every: 5}\n"))
        #expect(!result.stdout.contains("bad:"))
        #expect(result.stderr.contains("skipped entry tasks:meta:bad: schedule: interval every: -5 must be positive"))
        #expect(result.stderr.contains("1 invalid entry was not exported"))
    }
}
