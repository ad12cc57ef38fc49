import BeatCore
import CivilTime
import JSON
import RedisClient
import ScheduleStore
import Testing
import TestSupport

/// ScheduleStore's writes against a real redis-server: compare-and-set under a concurrent
/// write-back, SET NX, and the announcements a running beat listens to.
@Suite struct ManageEntryWriterTests {
    private func connect(_ server: RedisServer) throws -> RedisConnection {
        try RedisConnection(configuration: try RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/1"))
    }

    @Test func anEditRacingAWriteBackKeepsBothChanges() throws {
        try RedisServer.with { server in
            let connection = try connect(server)
            let scheduler = try connect(server)
            defer {
                connection.close()
                scheduler.close()
            }
            let original = #"{"task": "t", "schedule": {"every": 5, "period": "seconds"}}"#
            _ = try connection.send("SET", "tasks:meta:a", original)
            let writer = EntryWriter(connection: connection, keyPrefix: "tasks:meta:")
            var attempts = 0
            let outcome = try writer.update(name: "a") { old throws(EntryError) in
                attempts += 1
                if attempts == 1 {
                    // The scheduler writes back run state between our GET and our write.
                    let written = try? RunStateWriter.write(
                        totalRunCount: 1, lastRunAt: Instant(secondsSinceEpoch: 1_700_000_000), into: old)
                    _ = try? scheduler.send("SET", "tasks:meta:a", written ?? [])
                }
                return try EntryEdit(enabled: false).apply(to: old, key: "tasks:meta:a", name: "a")
            }
            #expect(attempts == 2)
            guard case .updated = outcome else { Issue.record("\(outcome)"); return }
            let stored = try #require(try connection.send("GET", "tasks:meta:a").bytes)
            let entry = try EntryDecoder.decode(key: "a", name: "a", json: stored)
            #expect(entry.enabled == false)
            #expect(entry.totalRunCount == 1)
            #expect(entry.lastRunAt == Instant(secondsSinceEpoch: 1_700_000_000))
        }
    }

    @Test func anEditNeverRecreatesADeletedEntry() throws {
        try RedisServer.with { server in
            let connection = try connect(server)
            let other = try connect(server)
            defer {
                connection.close()
                other.close()
            }
            _ = try connection.send("SET", "tasks:meta:a", #"{"task": "t", "schedule": {"every": 5}}"#)
            let writer = EntryWriter(connection: connection, keyPrefix: "tasks:meta:")
            let outcome = try writer.update(name: "a") { old throws(EntryError) in
                _ = try? other.send("DEL", "tasks:meta:a")
                return try EntryEdit(enabled: false).apply(to: old, key: "tasks:meta:a", name: "a")
            }
            #expect(outcome == .missing)
            #expect(try connection.send("EXISTS", "tasks:meta:a").integer == 0)
        }
    }

    @Test func anEntryThatKeepsChangingGivesUpWithAConflict() throws {
        try RedisServer.with { server in
            let connection = try connect(server)
            let other = try connect(server)
            defer {
                connection.close()
                other.close()
            }
            _ = try connection.send("SET", "tasks:meta:a", #"{"task": "t", "schedule": {"every": 5}}"#)
            var writer = EntryWriter(connection: connection, keyPrefix: "tasks:meta:")
            writer.retries = 2
            var count = 0
            #expect(throws: ScheduleStoreError.self) {
                _ = try writer.update(name: "a") { old throws(EntryError) in
                    count += 1
                    _ = try? other.send("SET", "tasks:meta:a", #"{"task": "t\#(count)", "schedule": {"every": 5}}"#)
                    return try EntryEdit(enabled: false).apply(to: old, key: "tasks:meta:a", name: "a")
                }
            }
            #expect(count == 3)
        }
    }

    @Test func seedingWritesOnlyAbsentKeysAndAnnouncesOnce() throws {
        try RedisServer.with { server in
            let connection = try connect(server)
            let subscriber = try connect(server)
            defer {
                connection.close()
                subscriber.close()
            }
            try subscriber.subscribe(channels: [EntryChanges.channel(database: 1, keyPrefix: "tasks:meta:")])
            _ = try subscriber.readReplies(timeout: .seconds(5))
            _ = try connection.send("SET", "tasks:meta:b", "mine")
            let entries = try ScheduleFile.parse(text: "a: {task: t, schedule: 5}\nb: {task: t, schedule: 6}\n", fileName: "s.yaml")
            let writer = EntryWriter(connection: connection, keyPrefix: "tasks:meta:")
            #expect(try writer.addAbsent(entries) == [.added, .exists])
            #expect(try connection.send("GET", "tasks:meta:b").string == "mine")
            #expect(try writer.addAbsent(entries) == [.exists, .exists])
            var payloads: [String] = []
            try waitUntil("the announcement") {
                payloads += try subscriber.readReplies(timeout: .milliseconds(200)).compactMap { $0.array?.last?.string }
                return !payloads.isEmpty
            }
            #expect(payloads == [EntryChanges.everything])
        }
    }
}
