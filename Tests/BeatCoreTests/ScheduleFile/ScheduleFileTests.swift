import BeatCore
import JSON
import Testing
import YAML

/// Schedule files: how a file's entries become the JSON stored in Redis.
@Suite struct ScheduleFileTests {
    private func stored(_ yaml: String, fileName: String = "schedule.yaml") throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in try ScheduleFile.parse(text: yaml, fileName: fileName) {
            result[entry.name] = String(decoding: entry.json, as: UTF8.self)
        }
        return result
    }

    private func failure(_ text: String, fileName: String = "schedule.yaml") -> ScheduleFileError? {
        do {
            _ = try ScheduleFile.parse(text: text, fileName: fileName)
            return nil
        } catch {
            return error
        }
    }

    @Test func everyScheduleFormBecomesCelerybeatRedisCurrentFormat() throws {
        let entries = try stored(
            """
            seconds: {task: t, schedule: 30}
            fraction: {task: t, schedule: 1.5}
            duration: {task: t, schedule: 5m}
            crontab: {task: t, schedule: "30 7 * * mon"}
            object: {task: t, schedule: {every: 2, period: hours}}
            fields: {task: t, schedule: {minute: 0, hour: "3"}}
            sunday: {task: t, schedule: {minute: 0, hour: 0, day_of_week: 0}}
            redbeat: {task: t, schedule: {__type__: interval, every: 10.0, relative: true}}
            """)
        let prefix = #"{"name": "NAME", "task": "t", "enabled": true, "schedule": "#
        let suffix = #", "args": [], "kwargs": {}, "options": {}}"#
        func expected(_ name: String, _ schedule: String) -> String {
            prefix.replacingOccurrences(of: "NAME", with: name) + schedule + suffix
        }
        #expect(entries["seconds"] == expected("seconds", #"{"every": 30, "period": "seconds"}"#))
        #expect(entries["fraction"] == expected("fraction", #"{"every": 1.5, "period": "seconds"}"#))
        #expect(entries["duration"] == expected("duration", #"{"every": 5, "period": "minutes"}"#))
        #expect(
            entries["crontab"]
                == expected(
                    "crontab",
                    #"{"minute": "30", "hour": "7", "day_of_week": "mon", "day_of_month": "*", "month_of_year": "*"}"#))
        #expect(entries["object"] == expected("object", #"{"every": 2, "period": "hours"}"#))
        #expect(
            entries["fields"]
                == expected(
                    "fields", #"{"minute": 0, "hour": "3", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}"#))
        // celerybeat-redis turns a falsy day_of_week into "*": Sunday's 0 is written as text.
        #expect(
            entries["sunday"]
                == expected("sunday", #"{"minute": 0, "hour": 0, "day_of_week": "0", "day_of_month": "*", "month_of_year": "*"}"#))
        #expect(entries["redbeat"] == expected("redbeat", #"{"every": 10.0, "period": "seconds", "relative": true}"#))
    }

    @Test func solarClockedAndLifetimeKeysAreTakenAsEntriesStoreThem() throws {
        let entries = try stored(
            """
            lights:
              task: home.lights
              schedule: {solar: sunset, lat: 52.37, lon: 4.90}
            xmas:
              task: shop.greet
              schedule: {clocked: 2026-12-24T18:00:00+01:00}
              one_off: true
            campaign:
              task: mail.send
              schedule: 1h
              start_time: 2026-12-01T00:00:00Z
              expires: "2026-12-31T23:00:00+01:00"
              max_run_count: 500
            """)
        #expect(
            entries["lights"]
                == #"{"name": "lights", "task": "home.lights", "enabled": true, "schedule": {"solar": "sunset", "lat": 52.37, "lon": 4.90}, "args": [], "kwargs": {}, "options": {}}"#
        )
        #expect(
            entries["xmas"]
                == #"{"name": "xmas", "task": "shop.greet", "enabled": true, "schedule": {"clocked": "2026-12-24T18:00:00+01:00"}, "args": [], "kwargs": {}, "options": {}, "one_off": true}"#
        )
        #expect(
            entries["campaign"]
                == #"{"name": "campaign", "task": "mail.send", "enabled": true, "schedule": {"every": 1, "period": "hours"}, "args": [], "kwargs": {}, "options": {}, "start_time": "2026-12-01T00:00:00Z", "expires": "2026-12-31T23:00:00+01:00", "max_run_count": 500}"#
        )
        let bad = failure("x:\n  task: t\n  schedule: 30\n  max_run_count: 0\n")
        #expect(bad?.description.contains("\"max_run_count\" must be a whole number of runs, at least 1, not 0") == true, "\(String(describing: bad))")
        #expect(bad?.line == 1)
        let naive = failure("x: {task: t, schedule: {clocked: '2026-12-24T18:00:00'}}")
        #expect(naive?.description.contains("clocked: \"2026-12-24T18:00:00\" has no UTC offset") == true, "\(String(describing: naive))")
    }

    @Test func storedEntriesDecodeToWhatTheFileSays() throws {
        let entries = try ScheduleFile.parse(
            text: """
                report:
                  task: reports.weekly
                  enabled: false
                  schedule: "30 7 * * mon"
                  args: [weekly, "07", 07]
                  kwargs: {flag: yes}
                  options:
                    queue: reports
                    priority: 5
                    expires: 600
                  note: kept as is
                """, fileName: "s.yml")
        let entry = try EntryDecoder.decode(key: "tasks:meta:report", name: "report", json: entries[0].json)
        #expect(entry.task == "reports.weekly")
        #expect(entry.enabled == false)
        #expect(entry.schedule == .crontab(try CrontabSchedule(fromString: "30 7 * * mon")))
        #expect(entry.args == [.string("weekly"), .string("07"), .integer(7)])
        #expect(entry.kwargs == ["flag": .string("yes")])
        #expect(entry.options.queue == "reports")
        #expect(entry.options.priority == 5)
        #expect(entry.options.expires == .after(seconds: 600))
        #expect(entry.format == .current)
        #expect(String(decoding: entries[0].json, as: UTF8.self).hasSuffix(#", "note": "kept as is"}"#))
    }

    @Test func legacyEntriesAreConvertedToTheCurrentFormat() throws {
        let entries = try stored(
            """
            {"old": {"task": "t", "interval": {"every": 5, "period": "minutes"}, "crontab": {"minute": "1", "hour": "*",
              "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}, "queue": "q", "routing_key": "r",
              "total_run_count": 4, "running": false}}
            """, fileName: "legacy.json")
        #expect(
            entries["old"]
                == #"{"name": "old", "task": "t", "enabled": true, "schedule": {"minute": "1", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}, "args": [], "kwargs": {}, "options": {"queue": "q", "routing_key": "r"}, "total_run_count": 4, "running": false}"#
        )
    }

    @Test func jsonFilesAndFormatDetection() throws {
        #expect(ScheduleFile.format(of: "{}", fileName: "x.json") == .json)
        #expect(ScheduleFile.format(of: "a: 1", fileName: "x.YML") == .yaml)
        #expect(ScheduleFile.format(of: "  {\"a\": 1}", fileName: "/dev/stdin") == .json)
        #expect(ScheduleFile.format(of: "a: {b: 1}", fileName: "/dev/stdin") == .yaml)
        #expect(try stored(#"{"a": {"task": "t", "schedule": 10}}"#, fileName: "x.json").count == 1)
        #expect(try ScheduleFile.parse(text: "# nothing yet\n", fileName: "x.yaml").isEmpty)
    }

    @Test(arguments: [
        ("a:\n  task: t\n  schedule: \"61 * * * *\"\n", 1, "crontab field minute"),
        ("a:\n  task: t\n  schedule: 1d\n\nb:\n  schedule: 30\n", 5, "entry \"b\": missing \"task\""),
        ("a: {task: t}", 1, "missing \"schedule\""),
        ("a: {task: t, schedule: 0}", 1, "every"),
        ("a: {task: t, schedule: -5}", 1, "every"),
        ("a: {task: t, schedule: 5x}", 1, "duration \"5x\""),
        ("a: {task: t, schedule: \"1 2 3\"}", 1, "expected 5 fields"),
        ("a: {task: t, schedule: {every: 5, period: fortnights}}", 1, "fortnights"),
        ("a: {task: t, schedule: {minutes: 5}}", 1, "expected \"every\" (an interval), crontab fields"),
        ("a: {task: t, schedule: {minute: 5, hours: 1}}", 1, "unknown member \"hours\""),
        ("a: {task: t, schedule: 5, args: {x: 1}}", 1, "\"args\" must be a JSON array"),
        ("a: {task: t, schedule: 5, kwargs: [1]}", 1, "\"kwargs\" must be a JSON object"),
        ("a: {task: t, schedule: 5, options: {priority: 300}}", 1, "priority must be an integer 0-255"),
        ("a: {task: t, schedule: 5, options: {expires: soon}}", 1, "expires"),
        ("a: {task: t, schedule: 5, options: []}", 1, "\"options\" must be an object"),
        ("a: {task: 5, schedule: 5}", 1, "\"task\" must be a non-empty string"),
        ("a: [task, t]", 1, "expected a mapping"),
        ("- a\n- b", nil, "expected a mapping from entry name to entry"),
        ("a: {task: t, schedule: *x}", 1, "aliases"),
    ] as [(String, Int?, String)])
    func anInvalidEntryFailsTheWholeFileNamingItsLine(text: String, line: Int?, reason: String) {
        let error = failure(text)
        #expect(error?.line == line, "\(error.map(String.init(describing:)) ?? "no error")")
        #expect(error?.reason.contains(reason) == true, "\(error.map(String.init(describing:)) ?? "no error")")
        #expect(error?.description.hasPrefix("schedule.yaml") == true)
    }

    @Test func jsonErrorsNameTheirLine() {
        let error = failure("{\n  \"a\": {\"task\": \"t\",\n  \"schedule\": }\n}", fileName: "s.json")
        #expect(error?.line == 3)
        #expect(error?.reason.hasPrefix("invalid JSON") == true)
        #expect(failure("{\"a\": {\"task\": \"t\", \"schedule\": 5}, \"a\": {}}", fileName: "s.json")?.reason.contains("twice") == true)
    }

    @Test(arguments: [
        ("30s", #"{"every": 30, "period": "seconds"}"#), ("5m", #"{"every": 5, "period": "minutes"}"#),
        ("1h", #"{"every": 1, "period": "hours"}"#), ("1d", #"{"every": 1, "period": "days"}"#),
        ("1.5s", #"{"every": 1.5, "period": "seconds"}"#), ("30", #"{"every": 30, "period": "seconds"}"#),
        ("0.25", #"{"every": 0.25, "period": "seconds"}"#), ("090s", #"{"every": 90, "period": "seconds"}"#),
    ])
    func durations(text: String, expected: String) throws {
        #expect(JSONWriter.string(try StoredSchedule.interval(fromDuration: text)) == expected)
    }

    @Test(arguments: ["", "s", "0s", "-5s", "5 s", "5w", "1e3", "1.s", ".5s", "5mm", "1,5s", "٣s"])
    func invalidDurations(text: String) {
        #expect(throws: ScheduleError.self) { try StoredSchedule.interval(fromDuration: text) }
    }

    @Test func encoderWritesTheCurrentFormatInPythonStyle() throws {
        let bytes = try EntryEncoder.encode(
            name: "ü-entry",
            entry: [
                "task": .string("tasks.add"), "schedule": .string("1h"), "args": .array([.integer(16), .double(0.5)]),
                "kwargs": .object(["name": .string("é")]), "options": .object(["queue": .string("q")]),
            ])
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"name": "\u00fc-entry", "task": "tasks.add", "enabled": true, "schedule": {"every": 1, "period": "hours"}, "args": [16, 0.5], "kwargs": {"name": "\u00e9"}, "options": {"queue": "q"}}"#
        )
        #expect(throws: EntryError.self) { try EntryEncoder.encode(name: "x", entry: ["task": .string("t"), "schedule": .string("99 * * * *")]) }
    }

    @Test func exportedEntriesParseBackToTheSameStoredEntries() throws {
        let originals: [(String, String)] = [
            ("plain", ##"{"name": "plain", "task": "t", "enabled": false, "schedule": {"every": 30.0, "period": "seconds"}, "args": ["07", "yes", null, true, 1.50, "a: b", "#x", "-", "", " pad ", "multi\nline", "\u00e9\ud83d\ude00"], "kwargs": {"k": {"nested": [1, [2, {"x": "*/5"}]]}}, "options": {"queue": "q", "expires": "2030-01-01T00:00:00"}}"##),
            ("renamed", #"{"name": "tasks:meta:renamed", "task": "t", "enabled": true, "schedule": {"minute": 30, "hour": [1, 2], "day_of_week": "mon-fri", "day_of_month": "*", "month_of_year": "*"}, "args": [], "kwargs": {}, "options": {}, "extra": {"keep": ["me"]}}"#),
        ]
        var fileEntries: [(name: String, entry: JSONObject)] = []
        for (name, json) in originals {
            fileEntries.append((name, try ScheduleFile.fileEntry(name: name, stored: Array(json.utf8))))
        }
        for format in ScheduleFile.Format.allCases {
            let text = ScheduleFile.write(fileEntries, format: format, header: "exported\nfor a test")
            let parsed = try ScheduleFile.parse(text: text, fileName: "x.\(format.rawValue)")
            #expect(parsed.map(\.name) == originals.map(\.0))
            for (entry, original) in zip(parsed, originals) {
                #expect(String(decoding: entry.json, as: UTF8.self) == original.1, "\(format)\n\(text)")
            }
        }
    }

    @Test func fileEntriesLeaveOutRunStateAndTheirOwnName() throws {
        let stored = #"{"name": "a", "task": "t", "schedule": {"every": 5, "period": "seconds"}, "total_run_count": 3, "last_run_at": {"__type__": "datetime", "year": 2026, "month": 1, "day": 1}}"#
        let entry = try ScheduleFile.fileEntry(name: "a", stored: Array(stored.utf8))
        #expect(entry.keys == ["task", "schedule"])
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
