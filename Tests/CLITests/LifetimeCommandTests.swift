import JSON
import RedisClient
import Testing
import TestSupport

/// The solar, clocked and lifetime flags of `edit` and `next`, and finished entries in `list` and `show`.
@Suite struct LifetimeCommandTests {
    static let ranAt = #"{"__type__": "datetime", "year": 2026, "month": 12, "day": 7, "hour": 10, "minute": 0, "second": 0, "microsecond": 0}"#

    @Test func finishedEntriesStayAndListAndShowSayWhy() throws {
        let schedule = try ManagedSchedule()
        try schedule.set(
            "limited", #"{"task": "t", "schedule": {"every": 60, "period": "seconds"}, "max_run_count": 2, "total_run_count": 2, "last_run_at": \#(Self.ranAt)}"#)
        try schedule.set("clocked", #"{"task": "t", "schedule": {"clocked": "2026-12-07T09:00:00Z"}, "total_run_count": 1, "last_run_at": \#(Self.ranAt)}"#)
        try schedule.set("expired", #"{"task": "t", "schedule": {"every": 60, "period": "seconds"}, "expires": "2020-01-01T00:00:00Z"}"#)
        try schedule.set("oneoff", #"{"task": "t", "schedule": {"every": 60, "period": "seconds"}, "one_off": true, "enabled": false, "total_run_count": 1, "last_run_at": \#(Self.ranAt)}"#)
        try schedule.set("live", #"{"task": "t", "schedule": {"every": 60, "period": "seconds"}, "max_run_count": 5, "total_run_count": 2}"#)

        let list = try schedule.swiftbeat("list")
        #expect(list.status == 0, "\(list.output)")
        let rows = Dictionary(uniqueKeysWithValues: list.stdout.split(separator: "\n").dropFirst().map { (String($0.prefix { $0 != " " }), String($0)) })
        #expect(rows["limited"]?.contains("finished: ran 2 of 2 times") == true, "\(list.stdout)")
        #expect(rows["clocked"]?.contains("finished: ran at its clocked time") == true, "\(list.stdout)")
        #expect(rows["expired"]?.contains("finished: expired at 2020-01-01T00:00:00+00:00") == true, "\(list.stdout)")
        #expect(rows["oneoff"]?.contains("finished: one-off, ran") == true, "\(list.stdout)")
        #expect(rows["live"]?.contains(" yes ") == true, "\(list.stdout)")
        #expect(try schedule.keys().count == 5)

        let items = try #require(try JSONParser.parse(try schedule.swiftbeat("list", "--json").stdout).arrayValue)
        let limited = try #require(items.first { $0.objectValue?["name"] == .string("limited") }?.objectValue)
        #expect(limited["finished"] == .string("ran 2 of 2 times"))
        #expect(limited["next_run_at"] == .null)

        let show = try schedule.swiftbeat("show", "limited")
        #expect(show.stdout.contains("lifetime: at most 2 runs\nfinished: ran 2 of 2 times\n"), "\(show.stdout)")
        let live = try schedule.swiftbeat("show", "live")
        let runs = live.stdout.split(separator: "\n").filter { $0.hasPrefix("  20") }
        #expect(runs.count == 3, "three runs left of five: \(live.stdout)")
    }

    @Test func editSetsAndRemovesLifetimeMembersAndChangesTheKind() throws {
        let schedule = try ManagedSchedule()
        try schedule.set("a", #"{"task": "t", "schedule": {"every": 30, "period": "seconds"}, "total_run_count": 4}"#)
        let edited = try schedule.swiftbeat(
            "edit", "a", "--solar", "sunrise", "--lat", "-33.87", "--lon", "151.21", "--max-runs", "10", "--start-time",
            "2027-01-01T00:00:00+11:00", "--one-off")
        #expect(edited.status == 0, "\(edited.output)")
        #expect(
            try schedule.get("a")
                == #"{"task": "t", "schedule": {"solar": "sunrise", "lat": -33.87, "lon": 151.21}, "total_run_count": 4, "start_time": "2027-01-01T00:00:00+11:00", "max_run_count": 10, "one_off": true}"#
        )
        let removed = try schedule.swiftbeat("edit", "a", "--max-runs", "0", "--start-time", "null", "--no-one-off", "--at", "2027-02-01T08:00:00Z")
        #expect(removed.status == 0, "\(removed.output)")
        #expect(try schedule.get("a") == #"{"task": "t", "schedule": {"clocked": "2027-02-01T08:00:00Z"}, "total_run_count": 4}"#)

        let bad = try schedule.swiftbeat("edit", "a", "--max-runs", "-1")
        #expect(bad.status == 1)
        #expect(bad.stderr == "swiftbeat: --max-runs: expected at least 1 run, not -1\n")
        // A legacy entry's top-level expires is its message option: an entry expiry needs the current format.
        try schedule.set("legacy", #"{"name": "legacy", "task": "t", "interval": {"every": 5, "period": "seconds"}}"#)
        let legacy = try schedule.swiftbeat("edit", "legacy", "--end-time", "2027-01-01T00:00:00Z")
        #expect(legacy.status == 1)
        #expect(legacy.stderr.contains("an entry's own expires needs the current format"), "\(legacy.stderr)")
    }

    @Test func showWithFlagsPreviewsTheEditAndWritesNothing() throws {
        let schedule = try ManagedSchedule()
        let original = #"{"task": "t", "schedule": {"every": 60, "period": "seconds"}, "total_run_count": 1}"#
        try schedule.set("a", original)
        let preview = try schedule.swiftbeat("show", "a", "--solar", "sunrise", "--lat", "-33.87", "--lon", "151.21", "--max-runs", "3")
        #expect(preview.status == 0, "\(preview.output)")
        #expect(preview.stdout.hasPrefix("preview with the flags given (nothing is written):\n{\n"), "\(preview.stdout)")
        #expect(preview.stdout.contains("schedule: at sunrise at latitude -33.87, longitude 151.21\n"), "\(preview.stdout)")
        #expect(preview.stdout.contains("lifetime: at most 3 runs\n"), "\(preview.stdout)")
        #expect(preview.stdout.split(separator: "\n").filter { $0.hasPrefix("  20") }.count == 2, "two runs left: \(preview.stdout)")
        #expect(try schedule.get("a") == original)
        let bad = try schedule.swiftbeat("show", "a", "--at", "2027-01-01T00:00:00")
        #expect(bad.status == 1)
        #expect(bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("clocked: \"2027-01-01T00:00:00\" has no UTC offset"), "\(bad.stderr)")
    }

    @Test func nextPrintsSunEventsAClockedInstantAndHonoursTheLifetimeFlags() throws {
        let schedule = try ManagedSchedule()
        let solar = try schedule.swiftbeat("next", "--solar", "solar_noon", "--lat", "0", "--lon", "0", "--after", "2026-12-07T00:00:00Z", "--count", "2")
        #expect(solar.status == 0, "\(solar.output)")
        let noons = solar.stdout.split(separator: "\n")
        // The equation of time puts noon on the Greenwich meridian at about 11:51 UTC in early December.
        #expect(noons.count == 2 && noons.allSatisfy { $0.contains("T11:51:") || $0.contains("T11:52:") }, "\(solar.stdout)")
        let at = try schedule.swiftbeat("next", "--at", "2026-12-24T18:00:00+01:00", "--after", "2026-12-07T00:00:00Z", "--count", "3")
        #expect(at.stdout == "2026-12-24T17:00:00+00:00\n")
        let windowed = try schedule.swiftbeat(
            "next", "--crontab", "0 9 * * *", "--after", "2026-12-07T00:00:00Z", "--start-time", "2026-12-14T00:00:00Z", "--max-runs", "2",
            "--count", "5")
        #expect(windowed.stdout == "2026-12-14T09:00:00+00:00\n2026-12-15T09:00:00+00:00\n", "\(windowed.output)")
        let ended = try schedule.swiftbeat(
            "next", "--schedule", #"{"every": 1, "period": "hours"}"#, "--after", "2026-12-07T00:00:00Z", "--end-time", "2026-12-07T02:30:00Z", "--count", "5")
        #expect(ended.stdout == "2026-12-07T01:00:00+00:00\n2026-12-07T02:00:00+00:00\n", "\(ended.output)")
        let bad = try schedule.swiftbeat("next", "--solar", "noon", "--lat", "0", "--lon", "0")
        #expect(bad.status == 1)
        #expect(bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("solar solar: \"noon\" is not a sun event"), "\(bad.stderr)")
    }

    @Test func nextAndAddReadRruleTextAndRefuseABadPartInOneLine() throws {
        let schedule = try ManagedSchedule()
        let weekly = try schedule.swiftbeat(
            "next", "--rrule", "DTSTART:20260301T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO,FR;COUNT=4", "--timezone", "America/New_York",
            "--after", "2026-03-01T00:00:00Z", "--count", "5")
        // Nine o'clock on New York's clock on both sides of the 8 March change; COUNT ends it at four.
        #expect(
            weekly.stdout == "2026-03-02T09:00:00-05:00\n2026-03-06T09:00:00-05:00\n2026-03-09T09:00:00-04:00\n2026-03-13T09:00:00-04:00\n",
            "\(weekly.output)")
        let lastFriday = try schedule.swiftbeat(
            "next", "--rrule", "RRULE:FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=17;BYMINUTE=0;BYSECOND=0", "--after", "2026-01-01T00:00:00Z", "--count", "2")
        #expect(lastFriday.stdout == "2026-01-30T17:00:00+00:00\n2026-02-27T17:00:00+00:00\n", "\(lastFriday.output)")
        let bad = try schedule.swiftbeat("next", "--rrule", "RRULE:FREQ=WEEKLY;BYDAY=XX")
        #expect(bad.status == 1)
        #expect(bad.stderr == "swiftbeat: --rrule: rrule BYDAY: \"XX\" is not a weekday (MO, TU, WE, TH, FR, SA, SU)\n", "\(bad.stderr)")
        let added = try schedule.swiftbeat("add", "month-end", "--task", "t", "--rrule", "DTSTART:20260101T170000\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1")
        #expect(added.status == 0, "\(added.output)")
        #expect(try schedule.get("month-end")?.contains(#""rrule": "DTSTART:20260101T170000\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1""#) == true)
        let refused = try schedule.swiftbeat("add", "never", "--task", "t", "--rrule", "RRULE:FREQ=SOMETIMES")
        #expect(refused.status == 1 && refused.stderr.split(separator: "\n").count == 1 && refused.stderr.contains("rrule FREQ"), "\(refused.stderr)")
    }
}
