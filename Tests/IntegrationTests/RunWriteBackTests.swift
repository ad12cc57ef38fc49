import BeatCore
import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// After each firing, `total_run_count` + 1 and `last_run_at` reach the entry in Redis at once,
/// change nothing else, stay readable by celerybeat-redis, and never overwrite a user's edit.
@Suite struct RunWriteBackTests {
    /// A current-format entry with keys swiftbeat does not know, odd spellings and member order.
    static let current =
        #"{"owner": {"team": "ops", "weights": [1.50, 2E3, -0.0]}, "task": "probe.record", "schedule": {"every": 1.0, "period": "seconds"}, "#
        + #""args": ["cur"], "note": "\u00e9t\u00e9 \u2603", "options": {"queue": "celery", "serializer": "json"}, "enabled": true}"#

    /// What celerybeat-redis 0.1.3 saved, made to fire every second.
    static func legacy() throws -> String {
        String(decoding: try Fixtures.bytes("celerybeat-redis/legacy-0.1.3-saved.json"), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: #""every": 30.0"#, with: #""every": 1.0"#)
            .replacingOccurrences(of: #""task": "tasks.add""#, with: #""task": "probe.record""#)
    }

    /// One consistent view of both databases: the two entries and the broker's list, read in one
    /// MULTI so no firing can fall between the reads.
    private func snapshot(_ harness: RunHarness) throws -> (current: String?, legacy: String?, messages: [RunQueuedMessage]) {
        let connection = try #require(harness.brokerRedis)
        var pipeline = RedisPipeline()
        pipeline.append("MULTI")
        pipeline.append("SELECT", 1)
        pipeline.append("GET", RunHarness.prefix + "current")
        pipeline.append("GET", RunHarness.prefix + "legacy")
        pipeline.append("SELECT", 0)
        pipeline.append("LRANGE", "celery", 0, -1)
        pipeline.append("EXEC")
        let replies = try connection.pipeline(pipeline)
        let results = try #require(replies.last?.array, "EXEC: \(replies)")
        let messages = try (results[4].array ?? []).reversed().map { try RunQueuedMessage(envelope: try #require($0.string)) }
        return (results[1].string, results[2].string, messages)
    }

    @Test func eachFiringWritesItsRunStateBeforeTheNextAndNothingElse() throws {
        let harness = try RunHarness(launch: false)
        let legacy = try Self.legacy()
        try harness.set("current", Self.current)
        try harness.set("legacy", legacy)
        try harness.launchBeat()

        // At every moment, each entry's stored count says exactly how many of its messages were
        // sent: the write-back is never behind (same-server broker: one transaction does both).
        var snapshots = 0
        try waitUntil("four firings of each entry:\n\(harness.log.suffix(2000))", timeout: .seconds(45), pollingEvery: .milliseconds(20)) {
            let (current, legacyValue, messages) = try snapshot(harness)
            snapshots += 1
            let sentCurrent = messages.filter { $0.periodicTaskName == "current" }.count
            let sentLegacy = messages.filter { $0.periodicTaskName == "legacy" }.count
            let currentCount = try current.map { try EntryDecoder.decode(key: "c", name: "c", json: Array($0.utf8)).totalRunCount } ?? -1
            let legacyCount = try legacyValue.map { try EntryDecoder.decode(key: "l", name: "l", json: Array($0.utf8)).totalRunCount } ?? -1
            #expect(currentCount == Int64(sentCurrent), "current: stored \(currentCount), sent \(sentCurrent)")
            #expect(legacyCount == Int64(41 + sentLegacy), "legacy: stored \(legacyCount), sent \(sentLegacy)")
            return sentCurrent >= 4 && sentLegacy >= 4
        }
        #expect(snapshots > 10)

        // Only the two members changed: the seed with the stored run state written in is the stored text.
        let python = try #require(RunWorker.newestVenv)
        var pythonInput = ""
        for (name, seed) in [("current", Self.current), ("legacy", legacy)] {
            let stored = try #require(try harness.value(name))
            let entry = try EntryDecoder.decode(key: name, name: name, json: Array(stored.utf8))
            let lastRunAt = try #require(entry.lastRunAt)
            let expected = try RunStateWriter.write(totalRunCount: entry.totalRunCount, lastRunAt: lastRunAt, into: Array(seed.utf8))
            #expect(stored == String(decoding: expected, as: UTF8.self))
            #expect(entry.format == (name == "legacy" ? .legacy : .current))
            #expect(try JSONParser.parse(stored).objectValue?["schedule"] == (name == "legacy" ? nil : .object(["every": .double(1.0), "period": .string("seconds")])))
            // last_run_at is the moment of the latest firing: at or just before its log line.
            let lastSent = try #require(harness.sent(name).last)
            #expect(lastRunAt <= lastSent.at && lastSent.at - lastRunAt < .seconds(2), "\(lastRunAt) vs \(lastSent)")
            // In the seed's component form.
            let component = try #require(try JSONParser.parse(stored).objectValue?["last_run_at"]?.objectValue)
            #expect(component.keys == ["__type__", "year", "month", "day", "hour", "minute", "second", "microsecond"])
            pythonInput += stored + "\n"
        }

        // celerybeat-redis's own decoder reads it back: a naive datetime in UTC, an int count,
        // every key in the order it was stored.
        let lines = try RunHarness.python(python, script: "celerybeat_redis_decode.py", input: pythonInput).split(separator: "\n")
        try #require(lines.count == 2)
        for (line, name) in zip(lines, ["current", "legacy"]) {
            let decoded = try #require(try JSONParser.parse(String(line)).objectValue)
            let entry = try EntryDecoder.decode(key: name, name: name, json: Array(try #require(try harness.value(name)).utf8))
            #expect(decoded["last_run_at_type"] == .string("datetime"), "\(line)")
            #expect(decoded["naive"] == .bool(true))
            #expect(decoded["last_run_at"] == .string(ISO8601.formatNaive(CivilDateTime(try #require(entry.lastRunAt)))))
            #expect(decoded["total_run_count_type"] == .string("int"))
            #expect(decoded["total_run_count"] == .integer(entry.totalRunCount))
            let seedKeys = try JSONParser.parse(name == "current" ? Self.current : legacy).objectValue?.keys ?? []
            let expectedKeys = seedKeys.contains("total_run_count") ? seedKeys : seedKeys + ["total_run_count", "last_run_at"]
            #expect(decoded["keys"] == .array(expectedKeys.map(JSONValue.string)))
        }
    }

    /// A user edits the entry (raw SET, as redis-cli does) while it fires five times a second:
    /// every edit is kept, write-back lands only on top of the newest edit, and the next firing
    /// uses it.
    @Test func aConcurrentEditIsNeverOverwritten() throws {
        let harness = try RunHarness(launch: false)
        func edit(_ generation: Int) -> String {
            #"{"task": "probe.record", "schedule": {"every": 200, "period": "milliseconds"}, "args": [\#(generation)], "kwargs": {"edit": \#(generation)}}"#
        }
        try harness.set("busy", edit(0))
        try harness.launchBeat()
        try harness.waitForSent("busy", count: 2)

        // Edits every few milliseconds for two seconds, each a whole new value, as a user's SET would be.
        // Any stored value whose generation goes back means an edit was overwritten.
        var generation = 0
        var highestSeen = 0
        let clock = ContinuousClock()
        let end = clock.now + .seconds(2)
        while clock.now < end {
            generation += 1
            try harness.set("busy", edit(generation))
            for _ in 0..<3 {
                let stored = try #require(try harness.entry("busy"), "the entry vanished")
                let seen = Int(try #require(stored["args"]?.arrayValue?.first?.numberValue?.int64Value))
                #expect(seen == generation, "stored generation \(seen) after the edit to \(generation)")
                highestSeen = max(highestSeen, seen)
                #expect(stored["kwargs"] == .object(["edit": .integer(Int64(generation))]))
            }
        }
        let last = generation
        #expect(last > 50)

        // After the last edit: the next firings carry its arguments, on top of its run state.
        try waitUntil("three firings with the last edit's arguments", timeout: .seconds(30)) {
            try harness.queued().filter { $0.args == [.integer(Int64(last))] }.count >= 3
        }
        let stored = try #require(try harness.entry("busy"))
        #expect(stored["args"] == .array([.integer(Int64(last))]))
        #expect(stored["kwargs"] == .object(["edit": .integer(Int64(last))]))
        #expect((stored["total_run_count"]?.numberValue?.int64Value ?? 0) >= 3)
        // Messages never mix an edit's args with another edit's kwargs.
        for message in try harness.queued() {
            #expect(message.kwargs == ["edit": message.args.first ?? .null])
        }
        #expect(harness.beat?.isRunning == true)
    }
}
