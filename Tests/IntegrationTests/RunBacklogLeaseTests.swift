import CivilTime
import Foundation
import RedisClient
import Testing
import TestSupport

/// A leader working through a backlog that takes longer than its lease lasts. The soak (issue 18)
/// found that a leader firing 1,000 tasks/s on a starved machine stepped down with "the lock could not
/// be renewed in time", with Redis up: it renewed only between firing rounds, and one round lasted as
/// long as anything was due. It must renew while it fires.
@Suite("A leader busy with a backlog keeps its lease")
struct RunBacklogLeaseTests {
    static let entryCount = 20_000

    @Test("20,000 entries due at once, lock TTL 1 s: the leader renews while it fires them and never steps down")
    func backlogLongerThanTheLease() throws {
        let harness = try RunHarness(launch: false)
        defer { harness.stop() }
        // Every hour, last run two hours ago: all of them are due as soon as the beat has read them.
        let lastRun = RunHarness.componentDatetime(SystemClock.now() - Microseconds(7_200_000_000))
        var pipeline = RedisPipeline()
        for index in 0..<Self.entryCount {
            pipeline.append(
                "SET", RunHarness.prefix + "backlog-\(index)",
                #"{"task": "tasks.backlog", "schedule": {"every": 3600, "period": "seconds"}, "args": [\#(index)], "last_run_at": \#(lastRun)}"#)
        }
        let replies = try harness.schedule.pipeline(pipeline)
        let refused = replies.filter { !$0.isOK }
        try #require(refused.isEmpty, "loading the entries failed: \(refused.prefix(3))")

        try harness.launchBeat(["--lock-ttl", "1", "--standby-retry", "0.2"])
        let broker = try #require(harness.brokerRedis)
        try waitUntil("all \(Self.entryCount) firings in the broker's list:\n\(harness.log.suffix(2000))", timeout: .seconds(120)) {
            try broker.send("LLEN", "celery").integer == Int64(Self.entryCount)
        }
        // The list is filled by the commit's own transaction, and the beat logs a group's firings once
        // it has read that transaction's reply: on a busy machine the last "sent" lines follow the
        // list by a moment (a fresh-clone run read the log 56 lines early).
        try waitUntil(
            "\(Self.entryCount) firings logged:\n\(harness.log.suffix(2000))", timeout: .seconds(30), pollingEvery: .milliseconds(200)
        ) { harness.sent().count >= Self.entryCount }

        let sent = harness.sent()
        let first = try #require(sent.first?.at), last = try #require(sent.last?.at)
        // The test proves something only if firing the backlog outlasted the lease (0.8 s of the 1 s TTL).
        try #require(
            (last - first).value > 1_600_000,
            "the backlog was fired in \(Double((last - first).value) / 1e6) s, within one lease: raise entryCount")
        #expect(
            harness.logLines(containing: "stopped sending and became a standby").isEmpty,
            "the leader stepped down while firing the backlog:\n\(harness.logLines(containing: "standby").joined(separator: "\n"))")
        #expect(sent.count == Self.entryCount, "\(sent.count) firings logged")
        #expect(Set(sent.map(\.entry)).count == Self.entryCount, "an entry fired twice, or one was not logged")
        let holder = try harness.schedule.send("GET", "celery:beat:task_lock").string ?? ""
        #expect(holder.contains(#""pid":\#(try #require(harness.beat).pid)"#), "the lock is \(holder)")
    }
}
