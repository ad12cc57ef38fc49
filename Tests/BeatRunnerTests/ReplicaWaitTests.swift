@testable import BeatRunner
import Foundation
import RedisClient
import Testing
import TestSupport

/// `--wait-replicas`: WAIT after EXEC, against a real master and replica.
///
/// The cost test prints the time a commit group of 50 firings takes with and without WAIT 1; in
/// the normal suite it commits 20 groups each way, for a measurement more (the README quotes):
///
///     SWIFTBEAT_REPLICA_WAIT_GROUPS=2000 swift test --filter ReplicaWaitTests
@Suite("Commits that wait for replicas", .serialized, .timeLimit(.minutes(2)))
struct ReplicaWaitTests {
    private let lockKey = "celery:beat:task_lock"
    private let token = #"{"token": "mine"}"#

    /// A group of 50 firings of 1 KB messages, as the beat commits them, read under WATCH first.
    private func commitGroup(_ round: Int, on redis: RedisConnection, wait: ReplicaWait?) throws -> [RedisReply] {
        let firings = (0..<50).map { index in
            CommitTransaction.Firing(
                key: "tasks:meta:e\(index)", updated: Array("{\"round\": \(round)}".utf8), lists: ["celery"],
                payload: [UInt8](repeating: 0x78, count: 1024))
        }
        _ = try redis.pipeline(CommitTransaction.readRequest(firings.map(\.key), lockKey: lockKey))
        return try redis.pipeline(
            CommitTransaction.commitRequest(firings, push: CommitTransaction.Push(brokerDatabase: 0, scheduleDatabase: 0), wait: wait))
    }

    private func withReplica(_ body: (RedisConnection, RedisConnection) throws -> Void) throws {
        try RedisServer.with { master in
            try RedisServer.with(RedisServerOptions(extraArguments: ["--replicaof", "127.0.0.1", String(master.port)])) { replica in
                #expect(RedisServer.waitUntil(timeout: .seconds(30)) { replica.log.contains("MASTER <-> REPLICA sync: Finished with success") })
                let redis = try RedisConnection(configuration: RedisConfiguration(url: master.url))
                _ = try redis.send("SET", lockKey, token)
                try body(redis, try RedisConnection(configuration: RedisConfiguration(url: replica.url)))
            }
        }
    }

    @Test("a commit that waited for one replica is on the replica as soon as its replies arrive")
    func committedOnTheReplica() throws {
        try withReplica { redis, replica in
            for round in 1...20 {
                let replies = try commitGroup(round, on: redis, wait: ReplicaWait(replicas: 1, timeout: .seconds(5)))
                #expect(CommitTransaction.commitOutcome(replies, waited: true) == .committed)
                #expect(CommitTransaction.replicasAcknowledged(replies) == 1)
                #expect(try replica.send("GET", "tasks:meta:e49").string == "{\"round\": \(round)}")
                #expect(try replica.send("LLEN", "celery") == .integer(Int64(50 * round)))
            }
        }
    }

    @Test("without a replica, WAIT returns 0 after its timeout, and the commit stands")
    func noReplica() throws {
        try RedisServer.with { server in
            let redis = try RedisConnection(configuration: RedisConfiguration(url: server.url))
            _ = try redis.send("SET", lockKey, token)
            let (replies, took) = try elapsed { try commitGroup(1, on: redis, wait: ReplicaWait(replicas: 1, timeout: .milliseconds(200))) }
            #expect(CommitTransaction.commitOutcome(replies, waited: true) == .committed)
            #expect(CommitTransaction.replicasAcknowledged(replies) == 0)
            #expect(took >= .milliseconds(150))
            #expect(try redis.send("LLEN", "celery") == .integer(50))
        }
    }

    @Test("the cost: time per commit group of 50 firings, with and without WAIT 1 (printed)")
    func cost() throws {
        let groups = ProcessInfo.processInfo.environment["SWIFTBEAT_REPLICA_WAIT_GROUPS"].flatMap { Int($0) } ?? 20
        try withReplica { redis, _ in
            var perGroup: [String: Duration] = [:]
            // Interleaved, so that the machine's load falls on both alike.
            for round in 0..<groups * 2 {
                let wait = round % 2 == 1 ? ReplicaWait(replicas: 1, timeout: .seconds(5)) : nil
                let (replies, took) = try elapsed { try commitGroup(round, on: redis, wait: wait) }
                #expect(CommitTransaction.commitOutcome(replies, waited: wait != nil) == .committed)
                perGroup[wait == nil ? "plain" : "wait", default: .zero] += took
            }
            let plain = (perGroup["plain"] ?? .zero) / groups
            let waited = (perGroup["wait"] ?? .zero) / groups
            print("replica wait cost, \(groups) groups of 50: \(plain) per group without WAIT, \(waited) with WAIT 1")
        }
    }

    private func elapsed<T>(_ body: () throws -> T) rethrows -> (T, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try body()
        return (result, clock.now - start)
    }
}
