import JSON
import RedisClient
import Testing
import TestSupport

@Suite struct EditCommandTests {
    static let runState =
        #""total_run_count": 12, "last_run_at": {"__type__": "datetime", "year": 2026, "month": 3, "day": 8, "hour": 6, "minute": 59, "second": 1, "microsecond": 250}"#

    @Test func changesOnlyTheGivenFieldsAndKeepsRunStateAndUnknownKeys() throws {
        let schedule = try ManagedSchedule()
        let original = #"{"name": "a", "task": "t", "schedule": {"every": 30.0, "period": "seconds"}, "args": [1.50], "#
            + Self.runState + #", "custom": {"u": "\u00e9"}, "options": {"queue": "a", "weird": [ 1 ,2 ]}}"#
        try schedule.set("a", original)
        let result = try schedule.swiftbeat("edit", "a", "--every", "1m", "--queue", "b", "--option", "weird=null")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout == "edited tasks:meta:a\n")
        #expect(
            try schedule.get("a")
                == #"{"name": "a", "task": "t", "schedule": {"every": 1, "period": "minutes"}, "args": [1.50], "#
                + Self.runState + #", "custom": {"u": "\u00e9"}, "options": {"queue": "b"}}"#)
    }

    @Test func enableAndDisableFlipOnlyEnabled() throws {
        let schedule = try ManagedSchedule()
        try schedule.set("a", #"{"task": "t", "schedule": {"every": 5, "period": "seconds"}, "# + Self.runState + "}")
        let disabled = try schedule.swiftbeat("disable", "a")
        #expect(disabled.status == 0)
        #expect(disabled.stdout == "disabled tasks:meta:a\n")
        #expect(try schedule.get("a") == #"{"task": "t", "schedule": {"every": 5, "period": "seconds"}, "# + Self.runState + #", "enabled": false}"#)
        #expect(try schedule.swiftbeat("disable", "a").stdout == "unchanged tasks:meta:a (it already was so)\n")
        #expect(try schedule.swiftbeat("enable", "a").stdout == "enabled tasks:meta:a\n")
        #expect(try schedule.get("a") == #"{"task": "t", "schedule": {"every": 5, "period": "seconds"}, "# + Self.runState + #", "enabled": true}"#)
        #expect(try schedule.swiftbeat("edit", "a", "--disabled").stdout == "edited tasks:meta:a\n")
        #expect(try schedule.object("a")?["enabled"] == .bool(false))
    }

    @Test func missingEntriesAndBadEditsAreExitOne() throws {
        let schedule = try ManagedSchedule()
        for command in [["edit", "nope", "--every", "5s"], ["enable", "nope"], ["disable", "nope"]] {
            let result = try schedule.swiftbeat(arguments: command)
            #expect(result.status == 1)
            #expect(result.stderr == "swiftbeat: no entry tasks:meta:nope\n")
        }
        #expect(try schedule.keys().isEmpty, "a missing entry must not be created")
        try schedule.set("a", #"{"task": "t", "schedule": {"every": 5}}"#)
        let invalid = try schedule.swiftbeat("edit", "a", "--crontab", "0 0 * * funday")
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("crontab field day_of_week"))
        let nothing = try schedule.swiftbeat("edit", "a")
        #expect(nothing.status == 1)
        #expect(nothing.stderr.contains("nothing to change"))
        let breaking = try schedule.swiftbeat("edit", "a", "--option", "priority=\"high\"")
        #expect(breaking.status == 1)
        #expect(breaking.stderr.contains("priority must be an integer 0-255"))
        #expect(try schedule.get("a") == #"{"task": "t", "schedule": {"every": 5}}"#)
        _ = try schedule.connection.send("HSET", "tasks:meta:h", "a", "b")
        let hash = try schedule.swiftbeat("enable", "h")
        #expect(hash.status == 1)
        #expect(hash.stderr.contains("holds a Redis hash, not a string"))
    }

    @Test func unreachableRedisIsExitTwo() throws {
        let url = "redis://127.0.0.1:\(FreePort.loopback())/1"
        for command in [["edit", "a", "--every", "5s"], ["enable", "a"], ["disable", "a"], ["remove", "a"]] {
            let result = try SwiftbeatBinary.run(command + ["--scheduler-url", url])
            #expect(result.status == 2, "\(command): \(result.output)")
        }
    }
}

@Suite struct RemoveCommandTests {
    @Test func removesTheKeyAndAnnouncesIt() throws {
        let schedule = try ManagedSchedule()
        try schedule.set("a", #"{"task": "t", "schedule": {"every": 5}}"#)
        try schedule.set("b", #"{"task": "t", "schedule": {"every": 5}}"#)
        let result = try schedule.swiftbeat("remove", "a")
        #expect(result.status == 0)
        #expect(result.stdout == "removed tasks:meta:a\n")
        #expect(try schedule.keys() == ["tasks:meta:b"])
        let again = try schedule.swiftbeat("remove", "a")
        #expect(again.status == 1)
        #expect(again.stderr == "swiftbeat: no entry tasks:meta:a\n")
    }
}
