@testable import BeatRunner
import RedisClient
import Testing
import TestSupport

/// The commit's guarantees, against a real redis-server: what is read is what gets committed,
/// and a lock or an entry written between the read and the commit makes EXEC run nothing.
@Suite struct CommitTransactionTests {
    private let lockKey = "celery:beat:task_lock"
    private let token = #"{"token": "mine"}"#

    private func firing(_ name: String, updated: String, lists: [String] = ["celery"]) -> CommitTransaction.Firing {
        CommitTransaction.Firing(
            key: "tasks:meta:\(name)", updated: Array(updated.utf8), lists: lists, payload: Array("message of \(name)".utf8))
    }

    private func values(_ texts: String?...) -> CommitTransaction.ReadOutcome {
        .read(texts.map { $0.map { Array($0.utf8) } })
    }

    /// Sets up the lock and two entries, reads them, lets `meanwhile` act through a second
    /// connection, commits; returns the outcome and the connection to look at the result.
    private func readThenCommit(
        push: CommitTransaction.Push? = CommitTransaction.Push(brokerDatabase: 0, scheduleDatabase: 0),
        meanwhile: (RedisConnection) throws -> Void = { _ in }
    ) throws -> (CommitTransaction.ReadOutcome?, CommitTransaction.CommitOutcome?, RedisConnection, RedisServer) {
        let server = try RedisServer.start()
        let configuration = try RedisConfiguration(url: server.url)
        let beat = try RedisConnection(configuration: configuration)
        let other = try RedisConnection(configuration: configuration)
        _ = try beat.send("SET", lockKey, token)
        _ = try beat.send("SET", "tasks:meta:a", "a0")
        _ = try beat.send("SET", "tasks:meta:b", "b0")
        let firings = [firing("a", updated: "a1"), firing("b", updated: "b1")]
        let read = CommitTransaction.readOutcome(
            try beat.pipeline(CommitTransaction.readRequest(firings.map(\.key), lockKey: lockKey)), count: 2, token: token)
        try meanwhile(other)
        let commit = CommitTransaction.commitOutcome(try beat.pipeline(CommitTransaction.commitRequest(firings, push: push)))
        return (read, commit, beat, server)
    }

    private func value(_ key: String, _ connection: RedisConnection) throws -> String? {
        try connection.send("GET", key).string
    }

    private func list(_ key: String, _ connection: RedisConnection) throws -> [String] {
        try connection.send("LRANGE", key, "0", "-1").array?.compactMap(\.string) ?? []
    }

    @Test func unchangedEntriesAreWrittenAndPushedTogether() throws {
        let (read, commit, redis, server) = try readThenCommit()
        defer { server.stop() }
        #expect(read == values("a0", "b0"))
        #expect(commit == .committed)
        #expect(try value("tasks:meta:a", redis) == "a1")
        #expect(try value("tasks:meta:b", redis) == "b1")
        #expect(try list("celery", redis) == ["message of b", "message of a"])
    }

    @Test func anEntryEditedAfterTheReadAbortsTheWholeGroup() throws {
        let (_, commit, redis, server) = try readThenCommit { other in _ = try other.send("SET", "tasks:meta:b", "edited") }
        defer { server.stop() }
        #expect(commit == .aborted)
        #expect(try value("tasks:meta:a", redis) == "a0")
        #expect(try value("tasks:meta:b", redis) == "edited")
        #expect(try list("celery", redis).isEmpty)
    }

    @Test func anEntryDeletedAfterTheReadIsNotRecreated() throws {
        let (_, commit, redis, server) = try readThenCommit { other in _ = try other.send("DEL", "tasks:meta:a") }
        defer { server.stop() }
        #expect(commit == .aborted)
        #expect(try value("tasks:meta:a", redis) == nil)
        #expect(try list("celery", redis).isEmpty)
    }

    @Test func aLockTakenAfterTheReadPushesNothing() throws {
        let (_, commit, redis, server) = try readThenCommit { other in
            _ = try other.send("DEL", lockKey)
            _ = try other.send("SET", lockKey, #"{"token": "another node"}"#, "NX")
        }
        defer { server.stop() }
        #expect(commit == .aborted)
        #expect(try list("celery", redis).isEmpty)
        #expect(try value("tasks:meta:a", redis) == "a0")
    }

    @Test func aLockThatRanOutAfterTheReadPushesNothing() throws {
        let (_, commit, redis, server) = try readThenCommit { other in
            _ = try other.send("PEXPIRE", lockKey, "1")
            #expect(RedisServer.waitUntil(timeout: .seconds(10)) { (try? other.send("EXISTS", lockKey).integer) == 0 })
        }
        defer { server.stop() }
        #expect(commit == .aborted)
        #expect(try list("celery", redis).isEmpty)
    }

    @Test func aTTLOnAnEntryIsKept() throws {
        let (_, commit, redis, server) = try readThenCommit { _ in }
        defer { server.stop() }
        #expect(commit == .committed)
        _ = try redis.send("EXPIRE", "tasks:meta:a", "1000")
        // Commit again on top of what was written: the TTL set in between survives the SET.
        let again = [firing("a", updated: "a2")]
        #expect(CommitTransaction.readOutcome(try redis.pipeline(CommitTransaction.readRequest([again[0].key], lockKey: lockKey)), count: 1, token: token)
            == values("a1"))
        #expect(CommitTransaction.commitOutcome(try redis.pipeline(CommitTransaction.commitRequest(again, push: nil))) == .committed)
        #expect(try value("tasks:meta:a", redis) == "a2")
        #expect(try (redis.send("TTL", "tasks:meta:a").integer ?? -1) > 900)
    }

    @Test func messagesGoToTheBrokerDatabaseAndTheConnectionStaysOnTheSchedule() throws {
        let (_, commit, redis, server) = try readThenCommit(push: CommitTransaction.Push(brokerDatabase: 3, scheduleDatabase: 0))
        defer { server.stop() }
        #expect(commit == .committed)
        #expect(try list("celery", redis).isEmpty)
        #expect(try value("tasks:meta:a", redis) == "a1")
        _ = try redis.send("SELECT", "3")
        #expect(try list("celery", redis) == ["message of b", "message of a"])
    }

    @Test func aPushRefusedByRedisIsReported() throws {
        let (_, commit, redis, server) = try readThenCommit { other in _ = try other.send("HSET", "celery", "not", "a list") }
        defer { server.stop() }
        guard case .committedWithoutPush(let failure) = commit else {
            Issue.record("expected the push to be refused, got \(String(describing: commit))")
            return
        }
        #expect(failure.hasPrefix("WRONGTYPE"))
        #expect(try value("tasks:meta:a", redis) == "a1")
    }

    /// `fireDue` keeps one group read on each of two connections: each WATCH is its connection's,
    /// so one connection's commit neither aborts nor ends the other's.
    @Test func twoConnectionsWatchApart() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let configuration = try RedisConfiguration(url: server.url)
        let lanes = [try RedisConnection(configuration: configuration), try RedisConnection(configuration: configuration)]
        _ = try lanes[0].send("SET", lockKey, token)
        _ = try lanes[0].send("SET", "tasks:meta:a", "a0")
        _ = try lanes[0].send("SET", "tasks:meta:b", "b0")
        let a = [firing("a", updated: "a1")], b = [firing("b", updated: "b1")]
        #expect(CommitTransaction.readOutcome(try lanes[0].pipeline(CommitTransaction.readRequest([a[0].key], lockKey: lockKey)), count: 1, token: token) == values("a0"))
        #expect(CommitTransaction.readOutcome(try lanes[1].pipeline(CommitTransaction.readRequest([b[0].key], lockKey: lockKey)), count: 1, token: token) == values("b0"))
        #expect(CommitTransaction.commitOutcome(try lanes[0].pipeline(CommitTransaction.commitRequest(a, push: nil))) == .committed)
        // Lane 1 still watches b and the lock: an edit of b now aborts its commit.
        _ = try lanes[0].send("SET", "tasks:meta:b", "edited")
        #expect(CommitTransaction.commitOutcome(try lanes[1].pipeline(CommitTransaction.commitRequest(b, push: nil))) == .aborted)
        #expect(try value("tasks:meta:a", lanes[0]) == "a1")
        #expect(try value("tasks:meta:b", lanes[0]) == "edited")
    }

    // MARK: The parts without a server

    @Test func theReadSaysWhatItFound() {
        let replies: [RedisReply] = [
            .status("OK"), .bulk(Array(token.utf8)), .array([.bulk(Array("a0".utf8)), .bulk(Array("b9".utf8)), .null]),
        ]
        #expect(CommitTransaction.readOutcome(replies, count: 3, token: token) == values("a0", "b9", nil))
        var stolen = replies
        stolen[1] = .bulk(Array("someone else".utf8))
        #expect(CommitTransaction.readOutcome(stolen, count: 3, token: token) == .notLeader)
        stolen[1] = .null
        #expect(CommitTransaction.readOutcome(stolen, count: 3, token: token) == .notLeader)
        #expect(CommitTransaction.readOutcome([.error("ERR"), replies[1], replies[2]], count: 3, token: token) == nil)
        #expect(CommitTransaction.readOutcome(Array(replies.prefix(2)) + [.array([])], count: 3, token: token) == nil)
        #expect(CommitTransaction.readOutcome(Array(replies.prefix(2)) + [.array([.integer(1), .null, .null])], count: 3, token: token) == nil)
    }

    @Test func oneLPushPerListInTheOrderListsFirstAppear() throws {
        let firings = [
            firing("a", updated: "A", lists: ["q1"]),
            firing("b", updated: "B", lists: ["q2", "q1"]),
            firing("c", updated: "C", lists: ["q1"]),
        ]
        let request = CommitTransaction.commitRequest(firings, push: CommitTransaction.Push(brokerDatabase: 0, scheduleDatabase: 0))
        var expected = RedisPipeline()
        expected.append("MULTI")
        expected.append("SET", "tasks:meta:a", "A", "KEEPTTL")
        expected.append("SET", "tasks:meta:b", "B", "KEEPTTL")
        expected.append("SET", "tasks:meta:c", "C", "KEEPTTL")
        expected.append("LPUSH", "q1", "message of a", "message of b", "message of c")
        expected.append("LPUSH", "q2", "message of b")
        expected.append("EXEC")
        #expect(request == expected)
        var withoutPush = RedisPipeline()
        withoutPush.append("MULTI")
        withoutPush.append("SET", "tasks:meta:a", "A", "KEEPTTL")
        withoutPush.append("EXEC")
        #expect(CommitTransaction.commitRequest([firings[0]], push: nil) == withoutPush)
    }
}
