import BeatCore
import CivilTime
import JSON
import Testing
import TestSupport

/// Reading celerybeat-redis entries: both formats, the defaults, run state in every encoding
/// found in the wild, and a message for each kind of bad data.
@Suite struct EntryDecoderTests {
    private func decode(_ json: String, key: String = "tasks:meta:e") throws(EntryError) -> Entry {
        try EntryDecoder.decode(key: key, name: "e", json: Array(json.utf8))
    }

    /// The reason a value is refused, or a note that it was accepted.
    private func reason(_ json: String) -> String {
        do {
            let entry = try decode(json)
            return "accepted: \(entry.task)"
        } catch {
            #expect(error.key == "tasks:meta:e")
            return error.reason
        }
    }

    // MARK: the two formats

    @Test func readsTheCurrentFormatWithItsOptions() throws {
        let entry = try decode(
            #"{"name": "m", "task": "tasks.multiply", "enabled": false, "schedule": {"period": "minutes", "every": 10},"#
                + #" "args": ["3", "2"], "kwargs": {"z": 1}, "options": {"queue": "reports", "exchange": "ex","#
                + #" "routing_key": "rk", "priority": 5, "expires": 30, "headers": {"x_custom": "v"}, "time_limit": 60,"#
                + #" "soft_time_limit": 50, "countdown": 1.5}}"#)
        #expect(entry.format == .current)
        #expect(entry.key == "tasks:meta:e")
        #expect(entry.name == "e")  // the key without the prefix, not the JSON "name"
        #expect(entry.task == "tasks.multiply")
        #expect(!entry.enabled)
        #expect(entry.schedule == .interval(try IntervalSchedule(every: 10, period: .minutes)))
        #expect(entry.args == [.string("3"), .string("2")])
        #expect(entry.kwargs == ["z": .integer(1)])
        #expect(entry.options.queue == "reports")
        #expect(entry.options.exchange == "ex")
        #expect(entry.options.routingKey == "rk")
        #expect(entry.options.priority == 5)
        #expect(entry.options.expires == .after(seconds: 30))
        #expect(entry.options.headers == ["x_custom": .string("v")])
        #expect(entry.options.timeLimit == JSONNumber(Int64(60)))
        #expect(entry.options.softTimeLimit == JSONNumber(Int64(50)))
        #expect(entry.options.countdown == 1.5)
    }

    @Test func readsTheCurrentFormatsCrontab() throws {
        let entry = try decode(
            #"{"task": "t", "schedule": {"minute": "*/15", "hour": "9-17", "day_of_week": "mon-fri", "day_of_month": "*", "month_of_year": "*"}}"#)
        #expect(entry.format == .current)
        #expect(entry.schedule == .crontab(try CrontabSchedule(minute: "*/15", hour: "9-17", dayOfWeek: "mon-fri")))
    }

    @Test func readsTheLegacyFormatWithTopLevelOptions() throws {
        let entry = try decode(
            #"{"task": "tasks.add", "interval": {"every": 5, "period": "minutes"}, "queue": "q", "exchange": "ex","#
                + #" "routing_key": "rk", "expires": "2030-01-02T03:04:05+00:00"}"#)
        #expect(entry.format == .legacy)
        #expect(entry.schedule == .interval(try IntervalSchedule(every: 5, period: .minutes)))
        #expect(entry.options.queue == "q")
        #expect(entry.options.exchange == "ex")
        #expect(entry.options.routingKey == "rk")
        #expect(entry.options.expires == .at(CivilDateTime(year: 2030, month: 1, day: 2, hour: 3, minute: 4, second: 5).instant()))
    }

    @Test func legacyTopLevelNullsAreAbsentOptions() throws {
        // celerybeat-redis 0.1.3 writes every attribute back, None as null.
        let entry = try decode(#"{"task": "t", "interval": {"every": 5}, "queue": null, "exchange": null, "routing_key": null, "expires": null}"#)
        #expect(entry.options == EntryOptions())
    }

    @Test func legacyCrontabWinsOverInterval() throws {
        let entry = try decode(
            #"{"task": "t", "interval": {"every": 5, "period": "seconds"}, "crontab": {"minute": "30", "hour": "7", "day_of_week": "1", "day_of_month": "*", "month_of_year": "*"}}"#)
        #expect(entry.format == .legacy)
        #expect(entry.schedule == .crontab(try CrontabSchedule(minute: "30", hour: "7", dayOfWeek: "1")))
        // A null crontab (what 0.1.3 writes for an interval entry) does not hide the interval.
        let interval = try decode(#"{"task": "t", "interval": {"every": 5, "period": "seconds"}, "crontab": null}"#)
        #expect(interval.schedule == .interval(try IntervalSchedule(every: 5)))
    }

    @Test func legacyTopLevelOptionsAreNotReadFromCurrentEntries() throws {
        // In the current format only `options` holds options; a stray top-level queue is an unknown key.
        let entry = try decode(#"{"task": "t", "schedule": {"every": 5}, "queue": "ignored"}"#)
        #expect(entry.options.queue == nil)
    }

    @Test func defaults() throws {
        let entry = try decode(#"{"task": "t", "schedule": {"every": 5, "period": "seconds"}}"#)
        #expect(entry.enabled)
        #expect(entry.args == [])
        #expect(entry.kwargs == [:])
        #expect(entry.options == EntryOptions())
        #expect(entry.totalRunCount == 0)
        #expect(entry.lastRunAt == nil)
        // Nulls are defaults too.
        let nulls = try decode(
            #"{"task": "t", "schedule": {"every": 5}, "enabled": null, "args": null, "kwargs": null, "options": null, "total_run_count": null, "last_run_at": null}"#)
        #expect(nulls.enabled && nulls.args == [] && nulls.kwargs == [:] && nulls.totalRunCount == 0 && nulls.lastRunAt == nil)
    }

    // MARK: the fixtures: what celerybeat-redis documents and writes

    @Test func readmeExamplesInBothFormats() throws {
        let crontab = try EntryDecoder.decode(
            key: "tasks:meta:add-every-monday-morning", name: "add-every-monday-morning",
            json: Fixtures.bytes("celerybeat-redis/readme-legacy-crontab.json"))
        #expect(crontab.format == .legacy)
        #expect(crontab.task == "tasks.add")
        #expect(crontab.args == [.string("16"), .string("16")])
        #expect(crontab.schedule == .crontab(try CrontabSchedule(minute: "30", hour: "7", dayOfWeek: "1")))
        #expect(crontab.totalRunCount == 1)
        #expect(crontab.lastRunAt == CivilDateTime(year: 2014, month: 8, day: 30, hour: 8, minute: 10, second: 6, microsecond: 667).instant())

        let interval = try EntryDecoder.decode(
            key: "tasks:meta:add-every-5-minutes", name: "add-every-5-minutes",
            json: Fixtures.bytes("celerybeat-redis/readme-legacy-interval.json"))
        #expect(interval.format == .legacy)
        #expect(interval.schedule == .interval(try IntervalSchedule(every: 5, period: .minutes)))

        let current = try EntryDecoder.decode(
            key: "tasks:meta:multiply-every-10-minutes", name: "multiply-every-10-minutes",
            json: Fixtures.bytes("celerybeat-redis/readme-current-interval.json"))
        #expect(current.format == .current)
        #expect(current.task == "tasks.multiply")
        #expect(current.args == [.string("3"), .string("2")])
        #expect(current.schedule == .interval(try IntervalSchedule(every: 10, period: .minutes)))
        #expect(current.lastRunAt == nil && current.totalRunCount == 0)
    }

    @Test func entriesCelerybeatRedisWroteBack() throws {
        let legacy = try EntryDecoder.decode(
            key: "tasks:meta:add-every-30s", name: "add-every-30s", json: Fixtures.bytes("celerybeat-redis/legacy-0.1.3-saved.json"))
        #expect(legacy.format == .legacy)
        #expect(legacy.schedule == .interval(try IntervalSchedule(every: 30.0)))
        #expect(legacy.options.queue == "celery")
        #expect(legacy.kwargs == ["note": .string("été")])
        #expect(legacy.totalRunCount == 41)
        #expect(legacy.lastRunAt == CivilDateTime(year: 2016, month: 3, day: 1, hour: 12, minute: 0, second: 30, microsecond: 125_000).instant())

        let head = try EntryDecoder.decode(
            key: "tasks:meta:multiply-fast", name: "multiply-fast", json: Fixtures.bytes("celerybeat-redis/head-saved.json"))
        #expect(head.format == .current)
        #expect(head.schedule == .interval(try IntervalSchedule(every: 1.5)))
        #expect(head.options.queue == "reports" && head.options.priority == 3 && head.options.expires == .after(seconds: 30))
        #expect(head.totalRunCount == 7)
    }

    // MARK: run state

    @Test func lastRunAtInTheThreeEncodings() throws {
        let expected = CivilDateTime(year: 2014, month: 8, day: 30, hour: 8, minute: 10, second: 6, microsecond: 667).instant()
        let encodings = [
            // celerybeat-redis's DateTimeEncoder: naive UTC components.
            #"{"__type__": "datetime", "year": 2014, "month": 8, "day": 30, "hour": 8, "minute": 10, "second": 6, "microsecond": 667}"#,
            // Hand-made entries: ISO 8601, naive (UTC) or with an offset.
            #""2014-08-30T08:10:06.000667""#,
            #""2014-08-30T10:10:06.000667+02:00""#,
            #""2014-08-30 08:10:06.000667Z""#,
            // kombu's JSON encoder.
            #"{"__type__": "datetime", "__value__": "2014-08-30T08:10:06.000667+00:00"}"#,
        ]
        for encoding in encodings {
            let entry = try decode(#"{"task": "t", "schedule": {"every": 5}, "last_run_at": \#(encoding)}"#)
            #expect(entry.lastRunAt == expected, "\(encoding)")
        }
        // Components Python's datetime() defaults (hour, minute, second, microsecond) may be left out.
        let dateOnly = try decode(#"{"task": "t", "schedule": {"every": 5}, "last_run_at": {"__type__": "datetime", "year": 2014, "month": 8, "day": 30}}"#)
        #expect(dateOnly.lastRunAt == CivilDateTime(year: 2014, month: 8, day: 30).instant())
    }

    @Test func totalRunCount() throws {
        #expect(try decode(#"{"task": "t", "schedule": {"every": 5}, "total_run_count": 12345678901}"#).totalRunCount == 12_345_678_901)
        #expect(try decode(#"{"task": "t", "schedule": {"every": 5}, "total_run_count": 0}"#).totalRunCount == 0)
    }

    // MARK: bad data: every reason names the problem

    @Test func invalidJSONAndNonObjects() {
        #expect(reason(#"{"task": "t", "schedule": {"every": 5}"#).hasPrefix("invalid JSON at byte "))
        #expect(reason("not json").hasPrefix("invalid JSON at byte 0"))
        #expect(reason("").hasPrefix("invalid JSON"))
        #expect(reason(#"["t"]"#) == "the value must be a JSON object, not an array")
        #expect(reason(#""tasks.add""#) == "the value must be a JSON object, not a string")
        #expect(reason("42") == "the value must be a JSON object, not an integer")
        #expect(reason("null") == "the value must be a JSON object, not null")
    }

    @Test func missingOrEmptyTask() {
        #expect(reason(#"{"schedule": {"every": 5}}"#) == #"missing "task""#)
        #expect(reason(#"{"task": "", "schedule": {"every": 5}}"#) == #""task" must be a non-empty string, not """#)
        #expect(reason(#"{"task": null, "schedule": {"every": 5}}"#) == #""task" must be a non-empty string, not null"#)
        #expect(reason(#"{"task": 7, "schedule": {"every": 5}}"#) == #""task" must be a non-empty string, not 7"#)
    }

    @Test func missingSchedule() {
        let expected = #"missing "schedule" (or the legacy "interval" or "crontab")"#
        #expect(reason(#"{"task": "t"}"#) == expected)
        #expect(reason(#"{"task": "t", "interval": null, "crontab": null}"#) == expected)
    }

    @Test func badIntervals() {
        #expect(reason(#"{"task": "t", "schedule": {"every": 5, "period": "fortnights"}}"#).contains(#"period: "fortnights" is not one of weeks, days"#))
        #expect(reason(#"{"task": "t", "interval": {"every": 5, "period": "fortnights"}}"#).contains("fortnights"))
        #expect(reason(#"{"task": "t", "schedule": {"every": 0, "period": "seconds"}}"#) == "schedule: interval every: 0 must be positive")
        #expect(reason(#"{"task": "t", "schedule": {"every": -5}}"#) == "schedule: interval every: -5 must be positive")
        #expect(reason(#"{"task": "t", "schedule": {"every": "5"}}"#) == "schedule: interval every: expected a number, found a string")
        #expect(reason(#"{"task": "t", "schedule": {"every": 5, "period": 1}}"#).hasPrefix("schedule: interval period: expected a string"))
        #expect(reason(#"{"task": "t", "schedule": "every 5 seconds"}"#) == "schedule: expected an object, found a string")
        #expect(reason(#"{"task": "t", "schedule": {}}"#).contains(#"expected "every" (an interval), crontab fields"#))
    }

    @Test func badCrontabs() {
        func crontab(_ fields: String) -> String { reason(#"{"task": "t", "crontab": {\#(fields)}}"#) }
        #expect(crontab(#""minute": "61", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*""#).hasPrefix("schedule: crontab field minute:"))
        #expect(crontab(#""minute": "0", "hour": "24", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*""#).hasPrefix("schedule: crontab field hour:"))
        #expect(crontab(#""minute": "0", "hour": "0", "day_of_week": "mun", "day_of_month": "*", "month_of_year": "*""#).hasPrefix("schedule: crontab field day_of_week:"))
        #expect(crontab(#""minute": "0", "hour": "0", "day_of_week": "*", "day_of_month": "31", "month_of_year": "2""#).hasPrefix("schedule: crontab can never fire"))
        #expect(crontab(#""minute": 1.5"#).hasPrefix("schedule: crontab field minute: 1.5 is not a whole number"))
        #expect(crontab(#""minute": "5", "minutes": "5""#).contains(#"unknown member "minutes""#))
        #expect(reason(#"{"task": "t", "schedule": {"minute": "x/y", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}}"#).hasPrefix("schedule: crontab field minute:"))
    }

    @Test func badOptions() {
        func options(_ json: String) -> String { reason(#"{"task": "t", "schedule": {"every": 5}, "options": \#(json)}"#) }
        #expect(options(#"[]"#) == #""options" must be a JSON object, not an array"#)
        #expect(options(#"{"priority": 256}"#) == "option priority must be an integer 0-255, not 256")
        #expect(options(#"{"priority": -1}"#) == "option priority must be an integer 0-255, not -1")
        #expect(options(#"{"priority": "high"}"#) == #"option priority must be an integer 0-255, not "high""#)
        #expect(options(#"{"priority": 1.5}"#) == "option priority must be an integer 0-255, not 1.5")
        #expect(options(#"{"expires": "tomorrow"}"#) == #"option expires must be a number of seconds or an ISO 8601 time, not "tomorrow""#)
        #expect(options(#"{"expires": true}"#) == "option expires must be a number of seconds or an ISO 8601 time, not true")
        #expect(options(#"{"headers": [1]}"#) == "option headers must be an object, not an array")
        #expect(options(#"{"time_limit": -1}"#) == "option time_limit must be a non-negative number of seconds, not -1")
        #expect(options(#"{"soft_time_limit": "10"}"#) == #"option soft_time_limit must be a non-negative number of seconds, not "10""#)
        #expect(options(#"{"countdown": -2}"#) == "option countdown must be a non-negative number of seconds, not -2")
        #expect(options(#"{"queue": 5}"#) == "option queue must be a string, not an integer")
        // The legacy top-level options are checked the same way.
        #expect(reason(#"{"task": "t", "interval": {"every": 5}, "expires": "soon"}"#).hasPrefix("option expires must be"))
        #expect(reason(#"{"task": "t", "interval": {"every": 5}, "queue": ["a"]}"#) == "option queue must be a string, not an array")
        // Options swiftbeat does not use are not checked: they are the user's.
        #expect(options(#"{"link": {"anything": [1]}, "serializer": "json"}"#) == "accepted: t")
    }

    @Test func enabledMayBeOneOrZeroAsPythonCodeSometimesWroteIt() throws {
        let on = try EntryDecoder.decode(key: "k", name: "k", json: Array(#"{"task": "t", "schedule": {"every": 5}, "enabled": 1}"#.utf8))
        let off = try EntryDecoder.decode(key: "k", name: "k", json: Array(#"{"task": "t", "schedule": {"every": 5}, "enabled": 0}"#.utf8))
        #expect(on.enabled)
        #expect(!off.enabled)
    }

    @Test func badFields() {
        let schedule = #""schedule": {"every": 5}"#
        #expect(reason(#"{"task": "t", \#(schedule), "enabled": "yes"}"#) == #""enabled" must be true or false, not "yes""#)
        #expect(reason(#"{"task": "t", \#(schedule), "enabled": 2}"#) == #""enabled" must be true or false, not 2"#)
        #expect(reason(#"{"task": "t", \#(schedule), "args": "1, 2"}"#) == #""args" must be a JSON array, not a string"#)
        #expect(reason(#"{"task": "t", \#(schedule), "kwargs": []}"#) == #""kwargs" must be a JSON object, not an array"#)
        #expect(reason(#"{"task": "t", \#(schedule), "total_run_count": -1}"#) == #""total_run_count" must be a non-negative integer, not -1"#)
        #expect(reason(#"{"task": "t", \#(schedule), "total_run_count": "3"}"#) == #""total_run_count" must be a non-negative integer, not "3""#)
        #expect(reason(#"{"task": "t", \#(schedule), "last_run_at": "yesterday"}"#) == #""last_run_at" is not a datetime: "yesterday""#)
        #expect(reason(#"{"task": "t", \#(schedule), "last_run_at": {"__type__": "datetime", "year": 2014, "month": 2, "day": 30}}"#).hasPrefix(#""last_run_at" is not a datetime"#))
        #expect(reason(#"{"task": "t", \#(schedule), "last_run_at": {"year": 2014, "month": 2, "day": 3}}"#).hasPrefix(#""last_run_at" is not a datetime"#))
        #expect(reason(#"{"task": "t", \#(schedule), "last_run_at": 1400000000}"#) == #""last_run_at" is not a datetime: 1400000000"#)
    }

    @Test func theErrorNamesTheKey() {
        #expect(throws: EntryError(key: "tasks:meta:broken", reason: #"missing "task""#)) {
            try EntryDecoder.decode(key: "tasks:meta:broken", name: "broken", json: Array(#"{"schedule": {"every": 5}}"#.utf8))
        }
        #expect(EntryError(key: "tasks:meta:broken", reason: "r").description == "entry tasks:meta:broken: r")
    }
}
