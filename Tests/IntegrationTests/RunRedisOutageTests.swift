import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// The schedule's own Redis (here also the broker) goes away for a few seconds and comes back
/// with its data: the beat survives, takes up firing again, and its count stays exact.
@Suite struct RunRedisOutageTests {
    @Test func theSchedulesRedisRestarting() throws {
        // Append-only file, so the entries (and the lock) survive the restart as on a real server.
        let harness = try RunHarness(
            redisOptions: RedisServerOptions(extraArguments: ["--appendonly", "yes", "--appendfsync", "always"]), launch: false)
        try harness.set("tick", #"{"task": "probe.record", "schedule": {"every": 1}}"#)
        try harness.launchBeat()
        try harness.waitForSent("tick", count: 2)

        harness.redis.stop()
        try waitUntil("the beat to notice", timeout: .seconds(30)) {
            !harness.logLines(containing: "the scheduler's redis failed").isEmpty
        }
        let sentBeforeRestart = harness.sent("tick").count
        try harness.redis.restart()
        try harness.waitForSent("tick", count: sentBeforeRestart + 3, timeout: .seconds(60))
        #expect(harness.beat?.isRunning == true)

        // Same-server broker: every message in the list was counted, and nothing counted was lost.
        let reconnected = try RedisConnection(configuration: RedisConfiguration(url: "\(harness.redis.url)/1"))
        defer { reconnected.close() }
        let broker = try RedisConnection(configuration: RedisConfiguration(url: "\(harness.redis.url)/0"))
        defer { broker.close() }
        var pipeline = RedisPipeline()
        pipeline.append("MULTI")
        pipeline.append("SELECT", 1)
        pipeline.append("GET", RunHarness.prefix + "tick")
        pipeline.append("SELECT", 0)
        pipeline.append("LLEN", "celery")
        pipeline.append("EXEC")
        let results = try #require(try broker.pipeline(pipeline).last?.array)
        let stored = try #require(results[1].string.flatMap { try JSONParser.parse($0).objectValue })
        #expect(stored["total_run_count"]?.numberValue?.int64Value == results[3].integer)
    }
}
