import BeatCore
import JSON
import Testing

/// `swiftbeat edit`: only the given fields change; every other byte of the stored entry stays.
@Suite struct EntryEditTests {
    private let runState =
        #""total_run_count": 7, "last_run_at": {"__type__": "datetime", "year": 2026, "month": 3, "day": 8, "hour": 6, "minute": 59, "second": 1, "microsecond": 250}"#

    private func edit(_ edit: EntryEdit, _ stored: String) throws -> String {
        String(decoding: try edit.apply(to: Array(stored.utf8), key: "tasks:meta:x", name: "x"), as: UTF8.self)
    }

    @Test func changedFieldsAreSplicedInAndTheRestIsByteForByte() throws {
        let stored = #"{"name":"x",  "task": "t", "schedule": {"every": 30.0, "period": "seconds"}, "args": [1.50], "#
            + runState + #", "custom": {"z": 1e3, "u": "\u00e9"}, "options": {"queue": "a", "weird": [ 1 ,2 ]}}"#
        let result = try edit(
            EntryEdit(schedule: .string("5m"), kwargs: ["k": .integer(1)], options: [("priority", .integer(3))]), stored)
        #expect(
            result
                == #"{"name":"x",  "task": "t", "schedule": {"every": 5, "period": "minutes"}, "args": [1.50], "#
                + runState
                + #", "custom": {"z": 1e3, "u": "\u00e9"}, "options": {"queue": "a", "weird": [ 1 ,2 ], "priority": 3}, "kwargs": {"k": 1}}"#)
        let entry = try EntryDecoder.decode(key: "k", name: "x", json: Array(result.utf8))
        #expect(entry.totalRunCount == 7)
        #expect(entry.lastRunAt != nil)
    }

    @Test func optionsCanBeReplacedAndRemoved() throws {
        let stored = #"{"task": "t", "schedule": {"every": 1}, "options": {"queue": "a", "expires": 60, "priority": 1}}"#
        #expect(
            try edit(EntryEdit(options: [("queue", .string("b")), ("expires", nil)]), stored)
                == #"{"task": "t", "schedule": {"every": 1}, "options": {"queue": "b", "priority": 1}}"#)
        #expect(
            try edit(EntryEdit(options: [("queue", nil), ("expires", nil), ("priority", nil)]), stored)
                == #"{"task": "t", "schedule": {"every": 1}, "options": {}}"#)
        #expect(
            try edit(EntryEdit(options: [("queue", .string("q"))]), #"{"task": "t", "schedule": {"every": 1}, "options": null}"#)
                == #"{"task": "t", "schedule": {"every": 1}, "options": {"queue": "q"}}"#)
    }

    @Test func enablingTouchesOnlyEnabled() throws {
        let stored = "{\n  \"task\": \"t\",\n  \"enabled\": false,\n  \"schedule\": {\"every\": 1}\n}\n"
        #expect(try edit(EntryEdit(enabled: true), stored) == "{\n  \"task\": \"t\",\n  \"enabled\": true,\n  \"schedule\": {\"every\": 1}\n}\n")
        #expect(
            try edit(EntryEdit(enabled: false), #"{"task": "t", "schedule": {"every": 1}}"#)
                == #"{"task": "t", "schedule": {"every": 1}, "enabled": false}"#)
    }

    @Test func legacyEntriesKeepTheLegacyFormat() throws {
        let stored =
            #"{"name": "x", "task": "t", "interval": {"every": 5, "period": "minutes"}, "queue": "a", "options": {"queue": "shadow"}, "#
            + runState + "}"
        let result = try edit(EntryEdit(schedule: .string("0 * * * *"), options: [("queue", .string("b")), ("priority", .integer(2))]), stored)
        #expect(
            result
                == #"{"name": "x", "task": "t", "queue": "b", "options": {"queue": "b", "priority": 2}, "#
                + runState
                + #", "crontab": {"minute": "0", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}}"#)
        let entry = try EntryDecoder.decode(key: "k", name: "x", json: Array(result.utf8))
        #expect(entry.format == .legacy)
        #expect(entry.options.queue == "b")
    }

    @Test func anEditThatWouldBreakTheEntryIsRefused() {
        let stored = #"{"task": "t", "schedule": {"every": 1}}"#
        #expect(throws: EntryError.self) { try edit(EntryEdit(schedule: .string("1 2 3 4 9")), stored) }
        #expect(throws: EntryError.self) { try edit(EntryEdit(task: ""), stored) }
        #expect(throws: EntryError.self) { try edit(EntryEdit(options: [("priority", .integer(999))]), stored) }
        #expect(throws: EntryError.self) { try edit(EntryEdit(enabled: true), "not json") }
        #expect(throws: EntryError.self) { try edit(EntryEdit(enabled: true), "[1]") }
    }

    @Test func anEditCanRepairAnInvalidEntry() throws {
        let stored = #"{"task": "t", "schedule": {"every": 5, "period": "fortnights"}}"#
        #expect(try edit(EntryEdit(schedule: .integer(5)), stored) == #"{"task": "t", "schedule": {"every": 5, "period": "seconds"}}"#)
    }
}
