import JSON
import RedisClient
import Testing
import TestSupport

@Suite struct ListCommandTests {
    private func seed(_ schedule: ManagedSchedule) throws {
        try schedule.set(
            "report",
            #"{"task": "reports.weekly", "schedule": {"minute": "30", "hour": "7", "day_of_week": "mon", "day_of_month": "*", "month_of_year": "*"}, "options": {"queue": "reports"}, "total_run_count": 3, "last_run_at": {"__type__": "datetime", "year": 2026, "month": 1, "day": 5, "hour": 7, "minute": 30, "second": 0, "microsecond": 0}}"#
        )
        try schedule.set("fast", #"{"task": "tasks.add", "enabled": false, "schedule": {"every": 30, "period": "seconds"}}"#)
        try schedule.set("broken", #"{"task": "x", "schedule": {"every": 5, "period": "fortnights"}}"#)
        _ = try schedule.connection.send("RPUSH", "tasks:meta:list", "x")
    }

    @Test func aTableWithEveryEntryAndTheErrorsOfInvalidOnes() throws {
        let schedule = try ManagedSchedule()
        try seed(schedule)
        let result = try schedule.swiftbeat("list", "--timezone", "Europe/London")
        #expect(result.status == 0, "\(result.output)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(result.stdout)")
        #expect(lines[0].hasPrefix("NAME"))
        #expect(lines[0].contains("NEXT RUN (Europe/London)"))
        #expect(lines[1].hasPrefix("broken  invalid: schedule: interval period: \"fortnights\""))
        #expect(lines[2].contains("tasks.add") && lines[2].contains("every 30 seconds") && lines[2].contains(" no "))
        #expect(lines[2].contains("never"))
        #expect(lines[3].hasPrefix("list    invalid: the key holds a Redis list, not a string"))
        #expect(lines[4].contains("at 07:30 on Monday") && lines[4].contains("2026-01-05 07:30:00") && lines[4].contains("reports"))
        #expect(lines[4].contains(" 3 "))
    }

    @Test func jsonOutputForMachines() throws {
        let schedule = try ManagedSchedule()
        try seed(schedule)
        let result = try schedule.swiftbeat("list", "--json")
        #expect(result.status == 0)
        let items = try #require(try JSONParser.parse(result.stdout).arrayValue)
        #expect(items.count == 4)
        let report = try #require(items.first { $0.objectValue?["name"] == .string("report") }?.objectValue)
        #expect(report["valid"] == .bool(true))
        #expect(report["total_run_count"] == .integer(3))
        #expect(report["last_run_at"] == .string("2026-01-05T07:30:00+00:00"))
        #expect(report["queue"] == .string("reports"))
        #expect(report["next_run_at"]?.stringValue != nil)  // overdue: due now
        let fast = try #require(items.first { $0.objectValue?["name"] == .string("fast") }?.objectValue)
        #expect(fast["next_run_at"] == .null)
        #expect(fast["last_run_at"] == .null)
        let broken = try #require(items.first { $0.objectValue?["name"] == .string("broken") }?.objectValue)
        #expect(broken["valid"] == .bool(false))
        #expect(broken["error"]?.stringValue?.contains("fortnights") == true)
    }

    @Test func emptyAndUnreachable() throws {
        let schedule = try ManagedSchedule()
        #expect(try schedule.swiftbeat("list").stdout == "no entries under tasks:meta:\n")
        #expect(try schedule.swiftbeat("list", "--json").stdout == "[]\n")
        let down = try SwiftbeatBinary.run(["list", "--scheduler-url", "redis://127.0.0.1:\(FreePort.loopback())/1"])
        #expect(down.status == 2)
    }

    @Test func passwordsAreNeverPrinted() throws {
        let schedule = try ManagedSchedule(RedisServerOptions(password: "s3cret-pass"))
        #expect(try schedule.swiftbeat("add", "a", "--task", "t", "--every", "5s").status == 0)
        for command in [["list"], ["list", "--json"], ["show", "a"], ["check"], ["export"], ["export", "--format", "json"]] {
            let result = try schedule.swiftbeat(arguments: command)
            #expect(result.status == 0, "\(command): \(result.output)")
            #expect(!result.output.contains("s3cret-pass"), "\(command): \(result.output)")
        }
        let wrong = try SwiftbeatBinary.run(["list", "--scheduler-url", "redis://:wrong-pass@127.0.0.1:\(schedule.server.port)/1"])
        #expect(wrong.status == 2)
        #expect(!wrong.output.contains("wrong-pass"), "\(wrong.output)")
    }
}

@Suite struct ShowCommandTests {
    @Test func theStoredEntryAndItsNextFiveRuns() throws {
        let schedule = try ManagedSchedule()
        try schedule.set("report", #"{"task": "reports.weekly", "schedule": {"minute": "30", "hour": "7", "day_of_week": "mon", "day_of_month": "*", "month_of_year": "*"}, "x": 1.50}"#)
        let result = try schedule.swiftbeat("show", "report", "--timezone", "America/New_York")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.hasPrefix("{\n  \"task\": \"reports.weekly\",\n  \"schedule\": {\n    \"minute\": \"30\","))
        #expect(result.stdout.contains("  \"x\": 1.50\n}\n"))
        #expect(result.stdout.contains("last run: never"))
        let runs = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  20") }
        #expect(runs.count == 5)
        #expect(runs.allSatisfy { $0.contains("T07:30:00-0") })
    }

    @Test func missingOrInvalidEntriesAreExitOne() throws {
        let schedule = try ManagedSchedule()
        let missing = try schedule.swiftbeat("show", "nope")
        #expect(missing.status == 1)
        #expect(missing.stderr == "swiftbeat: no entry tasks:meta:nope\n")
        try schedule.set("bad", #"{"task": "t"}"#)
        let bad = try schedule.swiftbeat("show", "bad")
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("\"task\": \"t\""))
        #expect(bad.stderr.contains("entry tasks:meta:bad: missing \"schedule\""))
    }
}

@Suite struct CheckCommandTests {
    @Test func listsEachInvalidKeyWithItsReason() throws {
        let schedule = try ManagedSchedule()
        try schedule.set("good", #"{"task": "t", "schedule": {"every": 5}}"#)
        #expect(try schedule.swiftbeat("check").stdout == "1 entry under tasks:meta:, all valid\n")
        try schedule.set("no-json", "{oops")
        try schedule.set("no-task", #"{"schedule": {"every": 5}}"#)
        try schedule.set("bad-cron", #"{"task": "t", "schedule": {"minute": "61"}}"#)
        _ = try schedule.connection.send("SADD", "tasks:meta:set", "x")
        let result = try schedule.swiftbeat("check")
        #expect(result.status == 1)
        #expect(result.stdout.split(separator: "\n").count == 4)
        #expect(result.stdout.contains("tasks:meta:bad-cron: schedule: crontab field minute"))
        #expect(result.stdout.contains("tasks:meta:no-json: invalid JSON"))
        #expect(result.stdout.contains("tasks:meta:no-task: missing \"task\""))
        #expect(result.stdout.contains("tasks:meta:set: the key holds a Redis set, not a string"))
        #expect(!result.stdout.contains("tasks:meta:good"))
        #expect(result.stderr == "swiftbeat: 4 of 5 entries are invalid\n")
    }
}

@Suite struct ManageCommandHelpTests {
    @Test(arguments: ["list", "show", "add", "edit", "enable", "disable", "remove", "check", "export", "import"])
    func everyCommandsHelpHasAnExample(command: String) throws {
        let result = try SwiftbeatBinary.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Example"), "\(result.stdout)")
        #expect(result.stdout.contains("swiftbeat \(command)"), "\(result.stdout)")
        #expect(result.stdout.contains("--scheduler-url"), "\(result.stdout)")
    }
}
