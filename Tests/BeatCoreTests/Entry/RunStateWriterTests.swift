import BeatCore
import CivilTime
import JSON
import Testing
import TestSupport

/// Write-back changes `total_run_count` and `last_run_at` and nothing else: every other byte of
/// the stored entry stays, so unknown keys, number spellings, member order and the format survive.
@Suite struct RunStateWriterTests {
    private let firedAt = CivilDateTime(year: 2026, month: 11, day: 27, hour: 18, minute: 0, second: 5, microsecond: 123_456).instant()
    private let lastRunJSON =
        #"{"__type__": "datetime", "year": 2026, "month": 11, "day": 27, "hour": 18, "minute": 0, "second": 5, "microsecond": 123456}"#

    private func write(_ json: String, count: Int64 = 8) throws -> String {
        String(decoding: try RunStateWriter.write(totalRunCount: count, lastRunAt: firedAt, into: Array(json.utf8)), as: UTF8.self)
    }

    @Test func replacesBothValuesInPlace() throws {
        let before = #"{"task": "t", "total_run_count": 7, "schedule": {"every": 1.50, "period": "seconds"}, "last_run_at": null, "zz": [1.0, 2E3]}"#
        let after = try write(before)
        #expect(after == #"{"task": "t", "total_run_count": 8, "schedule": {"every": 1.50, "period": "seconds"}, "last_run_at": \#(lastRunJSON), "zz": [1.0, 2E3]}"#)
    }

    @Test func replacesAnyPreviousEncodingOfLastRunAt() throws {
        for previous in [
            #""2014-08-30T08:10:06""#,
            #"{"__type__": "datetime", "__value__": "2014-08-30T08:10:06+00:00"}"#,
            #"{"__type__": "datetime", "year": 2014, "month": 8, "day": 30, "hour": 8, "minute": 10, "second": 6, "microsecond": 667}"#,
        ] {
            let after = try write(#"{"last_run_at": \#(previous), "task": "t"}"#)
            #expect(after == #"{"last_run_at": \#(lastRunJSON), "task": "t", "total_run_count": 8}"#)
        }
    }

    @Test func appendsWhatIsMissingBeforeTheClosingBrace() throws {
        // The README's current-format example has no run state at all.
        let readme = #"{"name": "multiply-every-10-minutes", "task": "tasks.multiply", "enabled": true, "schedule": {"period": "minutes", "every": 10}, "args": ["3", "2"]}"#
        #expect(try write(readme, count: 1) == String(readme.dropLast()) + #", "total_run_count": 1, "last_run_at": \#(lastRunJSON)}"#)
        // Only one of them missing.
        #expect(try write(#"{"task": "t", "last_run_at": null}"#, count: 1) == #"{"task": "t", "last_run_at": \#(lastRunJSON), "total_run_count": 1}"#)
        // An empty object gets no leading comma.
        #expect(try write("{}", count: 1) == #"{"total_run_count": 1, "last_run_at": \#(lastRunJSON)}"#)
    }

    @Test func keepsWhitespaceEscapesAndUnknownKeysByteForByte() throws {
        let before = "  {\n  \"task\" : \"t\",\n  \"kwargs\": {\"note\": \"\\u00e9t\\u00e9\", \"raw\": \"été\"},\n  \"total_run_count\" :\t3 ,\n  \"owner\": {\"team\": [1, 2.50, -0.0, 1e-7]}\n}\n"
        let after = try write(before, count: 4)
        #expect(after == "  {\n  \"task\" : \"t\",\n  \"kwargs\": {\"note\": \"\\u00e9t\\u00e9\", \"raw\": \"été\"},\n  \"total_run_count\" :\t4 ,\n  \"owner\": {\"team\": [1, 2.50, -0.0, 1e-7]}\n, \"last_run_at\": \(lastRunJSON)}\n")
        #expect(try JSONParser.parse(after).objectValue?["owner"] == (try JSONParser.parse(before).objectValue?["owner"]))
    }

    @Test func aNestedRunStateIsNotTouched() throws {
        // Only the entry's own members count; a kwarg that happens to share the name stays.
        let before = #"{"kwargs": {"total_run_count": 99, "last_run_at": "x"}, "task": "t"}"#
        let after = try write(before, count: 1)
        #expect(after == #"{"kwargs": {"total_run_count": 99, "last_run_at": "x"}, "task": "t", "total_run_count": 1, "last_run_at": \#(lastRunJSON)}"#)
    }

    @Test func legacyEntriesStayLegacy() throws {
        let before = try Fixtures.bytes("celerybeat-redis/legacy-0.1.3-saved.json")
        let after = try RunStateWriter.write(totalRunCount: 42, lastRunAt: firedAt, into: before)
        let entry = try EntryDecoder.decode(key: "tasks:meta:add-every-30s", name: "add-every-30s", json: after)
        #expect(entry.format == .legacy)
        #expect(entry.totalRunCount == 42)
        #expect(entry.lastRunAt == firedAt)
        // Everything but the two members is the same text: compare with the members removed.
        let beforeObject = try JSONParser.parse(before).objectValue!
        let afterObject = try JSONParser.parse(after).objectValue!
        #expect(afterObject.keys == beforeObject.keys)
        for key in beforeObject.keys where key != "total_run_count" && key != "last_run_at" {
            #expect(afterObject[key] == beforeObject[key], "\(key)")
        }
        #expect(afterObject["schedule"] == nil)
        let beforeText = String(decoding: before, as: UTF8.self)
        let afterText = String(decoding: after, as: UTF8.self)
        let prefix = #""total_run_count": "#
        #expect(afterText.hasPrefix(String(beforeText.split(separator: prefix)[0]) + prefix + "42, "))
        #expect(afterText.contains(#""every": 30.0"#))
    }

    @Test func writtenLastRunAtIsTheSeedsNaiveUTCComponents() throws {
        let after = try write(#"{"task": "t"}"#)
        let object = try JSONParser.parse(after).objectValue!
        let lastRun = object["last_run_at"]!.objectValue!
        #expect(lastRun.keys == ["__type__", "year", "month", "day", "hour", "minute", "second", "microsecond"])
        #expect(lastRun["__type__"] == .string("datetime"))
        #expect(lastRun["microsecond"] == .integer(123_456))
        #expect(PythonDatetime.decode(object["last_run_at"]!) == firedAt)
        #expect(object["total_run_count"] == .integer(8))
    }

    @Test func refusesWhatIsNotAnObject() {
        for bad in ["[1]", "", "{\"task\": ", "{} extra"] {
            #expect(throws: JSONError.self, "\(bad)") { try write(bad) }
        }
    }

    /// Whatever the decoder accepts, the writer can write: a firing is built from both, and a value
    /// one accepts and the other refuses would be handed out again and again without firing.
    @Test func everyValueTheDecoderAcceptsCanBeWritten() throws {
        let values = [
            #"{"task": "t", "schedule": {"every": 1}, "total_run_count": 1, "total_run_count": 2}"#,
            #"{"task": "t", "schedule": {"every": 1}, "last_run_at": null, "last_run_at": "2014-08-30T08:10:06"}"#,
            "\u{20}\n\t{\"task\":\"t\",\"schedule\":{\"every\":1}}\r\n",
            #"{"task": "t", "schedule": {"every": 1}, "args": "# + String(repeating: "[", count: 20) + "1" + String(repeating: "]", count: 20) + "}",
            #"{"task": "t", "schedule": {"every": 1}, "k\u0000": "\ud83d\ude00", "": {}}"#,
            #"{"task": "t", "schedule": {"every": 1}, "kwargs": {"x": 1e400, "y": -0, "z": 123456789012345678901234567890}}"#,
            #"{"task":"t","interval":{"every":1},"total_run_count":0,"last_run_at":{"__type__":"datetime","__value__":"2014-08-30T08:10:06Z"}}"#,
        ]
        for value in values {
            let bytes = Array(value.utf8)
            guard (try? EntryDecoder.decode(key: "k", name: "k", json: bytes)) != nil else {
                Issue.record("the decoder refused \(value)")
                continue
            }
            let written = try RunStateWriter.write(totalRunCount: 3, lastRunAt: firedAt, into: bytes)
            let entry = try EntryDecoder.decode(key: "k", name: "k", json: written)
            #expect(entry.totalRunCount == 3 && entry.lastRunAt == firedAt, "\(value)")
        }
    }

    /// A firing writes at the place its decoded entry found (one scan of the bytes, not two): that
    /// must write exactly what finding the members again writes, whatever the members' order,
    /// duplicates or absence.
    @Test func writingWhereTheDecoderFoundTheMembersWritesTheSame() throws {
        let values = [
            #"{"task": "t", "schedule": {"every": 1}, "total_run_count": 1, "total_run_count": 2}"#,
            #"{"task": "t", "schedule": {"every": 1}, "last_run_at": null, "last_run_at": "2014-08-30T08:10:06"}"#,
            #"{"last_run_at": null, "total_run_count": 4, "task": "t", "schedule": {"every": 1}}"#,
            "\u{20}\n\t{\"task\":\"t\",\"schedule\":{\"every\":1}}\r\n",
            #"{"task": "t", "schedule": {"every": 1}, "options": {"total_run_count": 9}, "x": {"last_run_at": 1}}"#,
            #"{"task":"t","interval":{"every":1},"total_run_count":0,"last_run_at":{"__type__":"datetime","__value__":"2014-08-30T08:10:06Z"}}"#,
        ]
        for value in values + [String(decoding: try Fixtures.bytes("celerybeat-redis/head-saved.json"), as: UTF8.self)] {
            let bytes = Array(value.utf8)
            let entry = try EntryDecoder.decode(key: "k", name: "k", json: bytes)
            let place = try #require(entry.runStatePlace)
            #expect(
                (try RunStateWriter.write(totalRunCount: 5, lastRunAt: firedAt, into: bytes, at: place))
                    == (try RunStateWriter.write(totalRunCount: 5, lastRunAt: firedAt, into: bytes)),
                "\(value)")
        }
    }

    @Test func roundTripsThroughTheDecoder() throws {
        for count: Int64 in [0, 1, 12_345_678_901] {
            let bytes = try RunStateWriter.write(
                totalRunCount: count, lastRunAt: firedAt, into: Fixtures.bytes("celerybeat-redis/head-saved.json"))
            let entry = try EntryDecoder.decode(key: "k", name: "k", json: bytes)
            #expect(entry.totalRunCount == count && entry.lastRunAt == firedAt && entry.format == .current)
        }
    }
}
