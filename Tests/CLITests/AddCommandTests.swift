import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

@Suite struct AddCommandTests {
    @Test func writesTheCurrentCelerybeatRedisFormat() throws {
        let schedule = try ManagedSchedule()
        let result = try schedule.swiftbeat(
            "add", "report", "--task", "reports.weekly", "--crontab", "30 7 * * mon", "--args", "[\"weekly\", 2]",
            "--kwargs", "{\"depth\": 1}", "--queue", "reports", "--priority", "5", "--expires", "3600",
            "--option", "routing_key=\"reports.weekly\"", "--option", "headers={\"origin\": \"cli\"}")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout == "added tasks:meta:report\n")
        #expect(
            try schedule.get("report")
                == #"{"name": "report", "task": "reports.weekly", "enabled": true, "schedule": {"minute": "30", "hour": "7", "day_of_week": "mon", "day_of_month": "*", "month_of_year": "*"}, "args": ["weekly", 2], "kwargs": {"depth": 1}, "options": {"routing_key": "reports.weekly", "headers": {"origin": "cli"}, "queue": "reports", "priority": 5, "expires": 3600}}"#
        )
        #expect(try schedule.swiftbeat("add", "fast", "--task", "t", "--every", "1.5s", "--disabled").status == 0)
        #expect(
            try schedule.get("fast")
                == #"{"name": "fast", "task": "t", "enabled": false, "schedule": {"every": 1.5, "period": "seconds"}, "args": [], "kwargs": {}, "options": {}}"#
        )
        #expect(try schedule.swiftbeat("add", "json", "--task", "t", "--schedule", #"{"every": 2, "period": "hours"}"#).status == 0)
        #expect(try schedule.object("json")?["schedule"] == .object(["every": .integer(2), "period": .string("hours")]))
    }

    @Test func writesSolarClockedAndLifetimeMembers() throws {
        let schedule = try ManagedSchedule()
        let solar = try schedule.swiftbeat("add", "lights", "--task", "home.lights", "--solar", "sunset", "--lat", "52.37", "--lon", "4.90")
        #expect(solar.status == 0, "\(solar.output)")
        #expect(
            try schedule.get("lights")
                == #"{"name": "lights", "task": "home.lights", "enabled": true, "schedule": {"solar": "sunset", "lat": 52.37, "lon": 4.9}, "args": [], "kwargs": {}, "options": {}}"#
        )
        let clocked = try schedule.swiftbeat(
            "add", "xmas", "--task", "shop.greet", "--at", "2026-12-24T18:00:00+01:00", "--one-off", "--start-time",
            "2026-12-01T00:00:00Z", "--end-time", "2026-12-31T23:00:00+01:00", "--max-runs", "1")
        #expect(clocked.status == 0, "\(clocked.output)")
        #expect(
            try schedule.get("xmas")
                == #"{"name": "xmas", "task": "shop.greet", "enabled": true, "schedule": {"clocked": "2026-12-24T18:00:00+01:00"}, "args": [], "kwargs": {}, "options": {}, "start_time": "2026-12-01T00:00:00Z", "expires": "2026-12-31T23:00:00+01:00", "max_run_count": 1, "one_off": true}"#
        )
        // Entries without the new members are written exactly as before: nothing new is added.
        #expect(try schedule.swiftbeat("add", "plain", "--task", "t", "--every", "10s").status == 0)
        #expect(
            try schedule.get("plain")
                == #"{"name": "plain", "task": "t", "enabled": true, "schedule": {"every": 10, "period": "seconds"}, "args": [], "kwargs": {}, "options": {}}"#
        )
    }

    @Test func refusesToOverwriteWithoutReplaceAndKeepsRunStateWithIt() throws {
        let schedule = try ManagedSchedule()
        let runState = #""total_run_count": 9, "last_run_at": {"__type__": "datetime", "year": 2026, "month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0}"#
        try schedule.set("a", #"{"task": "old", "schedule": {"every": 5, "period": "seconds"}, "# + runState + "}")
        let refused = try schedule.swiftbeat("add", "a", "--task", "new", "--every", "10s")
        #expect(refused.status == 1)
        #expect(refused.stderr == "swiftbeat: entry tasks:meta:a already exists; use --replace to overwrite it\n")
        #expect(try schedule.object("a")?["task"] == .string("old"))

        let replaced = try schedule.swiftbeat("add", "a", "--task", "new", "--every", "10s", "--replace")
        #expect(replaced.status == 0, "\(replaced.output)")
        #expect(replaced.stdout == "replaced tasks:meta:a\n")
        #expect(
            try schedule.get("a")
                == #"{"name": "a", "task": "new", "enabled": true, "schedule": {"every": 10, "period": "seconds"}, "args": [], "kwargs": {}, "options": {}, "#
                + runState + "}")
        #expect(try schedule.swiftbeat("add", "a", "--task", "new", "--every", "10s", "--replace").stdout == "unchanged tasks:meta:a\n")
        #expect(try schedule.swiftbeat("add", "b", "--task", "new", "--every", "10s", "--replace").stdout == "added tasks:meta:b\n")
    }

    @Test(arguments: [
        (["--task", "t", "--crontab", "30 25 * * *"], "--crontab: crontab field hour: 25 is out of range 0-23"),
        (["--task", "t", "--crontab", "30 7 * *"], "--crontab: expected 5 fields"),
        (["--task", "t", "--crontab", "* * 31 2 *"], "crontab can never fire"),
        (["--task", "t", "--every", "5 minutes"], "--every: expected a duration"),
        (["--task", "t", "--every", "0s"], "--every: interval every: 0 must be positive"),
        (["--task", "t", "--every", "5w"], "--every: duration \"5w\""),
        (["--task", "t", "--schedule", "{\"every\": 5, \"period\": \"fortnights\"}"], "fortnights"),
        (["--task", "t", "--schedule", "{bad"], "--schedule: invalid JSON"),
        (["--task", "t"], "give a schedule with --every, --crontab, --solar, --at or --schedule"),
        (["--task", "t", "--solar", "sunset", "--lat", "91", "--lon", "4.9"], "--solar: solar lat: latitude 91.0 is outside -90...90"),
        (["--task", "t", "--solar", "sunrize", "--lat", "52", "--lon", "4.9"], "--solar: solar solar: \"sunrize\" is not a sun event"),
        (["--task", "t", "--solar", "sunset", "--lat", "52"], "--solar needs --lat and --lon"),
        (["--task", "t", "--every", "5s", "--lat", "52"], "--lat and --lon go with --solar"),
        (["--task", "t", "--at", "2026-12-24T18:00:00"], "--at: clocked: \"2026-12-24T18:00:00\" has no UTC offset"),
        (["--task", "t", "--at", "2026-12-24T18:00:00Z", "--every", "5s"], "give only one of"),
        (["--task", "t", "--every", "5s", "--max-runs", "0"], "--max-runs: expected at least 1 run, not 0"),
        (["--task", "t", "--every", "5s", "--start-time", "tomorrow"], "--start-time: \"tomorrow\" is not an ISO 8601 date and time"),
        (["--task", "t", "--every", "5s", "--end-time", "2026-12-31T00:00:00"], "--end-time: \"2026-12-31T00:00:00\" has no UTC offset"),
        (["--every", "5s"], "--task is required"),
        (["--task", "t", "--every", "5s", "--crontab", "* * * * *"], "give only one of"),
        (["--task", "t", "--every", "5s", "--args", "{\"x\": 1}"], "--args must be a JSON array"),
        (["--task", "t", "--every", "5s", "--kwargs", "[1]"], "--kwargs must be a JSON object"),
        (["--task", "t", "--every", "5s", "--priority", "300"], "--priority must be 0-255"),
        (["--task", "t", "--every", "5s", "--expires", "soon"], "--expires: expected"),
        (["--task", "t", "--every", "5s", "--option", "queue"], "--option takes KEY=JSON"),
        (["--task", "t", "--every", "5s", "--option", "queue=\"a\"", "--queue", "b"], "the option queue is given twice"),
        (["--task", "t", "--every", "5s", "--option", "time_limit=-1"], "time_limit must be a non-negative number"),
        (["--task", "", "--every", "5s"], "\"task\" must be a non-empty string"),
    ])
    func invalidInputIsOneLineAndExitOneAndWritesNothing(arguments: [String], message: String) throws {
        let schedule = try ManagedSchedule()
        let result = try schedule.swiftbeat(arguments: ["add", "x"] + arguments)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(try schedule.keys().isEmpty)
    }

    @Test func unreachableRedisIsExitTwo() throws {
        let port = FreePort.loopback()
        let result = try SwiftbeatBinary.run(
            ["add", "x", "--task", "t", "--every", "5s", "--scheduler-url", "redis://:hunter2secret@127.0.0.1:\(port)/1"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.stderr.hasPrefix("swiftbeat: cannot reach the scheduler's redis"))
        #expect(!result.output.contains("hunter2secret"))
    }

    @Test func aWriteIsAnnouncedOnTheChangeChannel() throws {
        let schedule = try ManagedSchedule()
        let subscriber = try RedisConnection(configuration: try RedisConfiguration(url: schedule.server.url))
        defer { subscriber.close() }
        try subscriber.subscribe(channels: ["swiftbeat:changes:1:tasks:meta:"])
        _ = try subscriber.readReplies(timeout: .seconds(5))  // the subscription's confirmation
        #expect(try schedule.swiftbeat("add", "a", "--task", "t", "--every", "5s").status == 0)
        let messages = try subscriber.readReplies(timeout: .seconds(5))
        #expect(messages.contains { $0.array?.last?.string == "tasks:meta:a" }, "\(messages)")
    }
}
