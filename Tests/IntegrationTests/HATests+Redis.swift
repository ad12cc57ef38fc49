import Foundation
import Testing
import TestSupport

extension HATests {
    /// A scheduler Redis that keeps its data across a restart, as a production one does.
    static let persistentRedis = RedisServerOptions(extraArguments: ["--appendonly", "yes", "--appendfsync", "always"])

    @Test("Restart redis-server under three nodes: nobody crashes, exactly one leader once Redis is back, sends resume without duplicates")
    func redisRestartUnderTheGroup() throws {
        let cluster = try HACluster(entries: 3, ttl: 3, retry: 0.2, redisOptions: Self.persistentRedis)
        defer { cluster.stop() }
        for _ in 0..<3 { try cluster.startNode() }
        let before = try cluster.waitForLeader()
        try waitUntil("\(before) to send", timeout: .seconds(10)) { before.sends.count >= 9 }

        let restartedAt = HATime.now
        try cluster.scheduler.restart()
        let backAt = HATime.now
        try expectOneLeaderSendingAgain(cluster, since: backAt, gap: (restartedAt, backAt))
    }

    @Test("Stop redis-server for longer than the TTL: once it is back, a leader sends again within a second, exactly one")
    func redisDownPastTheTTL() throws {
        let cluster = try HACluster(entries: 3, ttl: 3, retry: 0.2, redisOptions: Self.persistentRedis)
        defer { cluster.stop() }
        for _ in 0..<3 { try cluster.startNode() }
        let before = try cluster.waitForLeader()
        try waitUntil("\(before) to send", timeout: .seconds(10)) { before.sends.count >= 9 }

        let stoppedAt = HATime.now
        cluster.scheduler.stop()
        // Long enough for the nodes' retries to back off, and for the stored lock to expire.
        Thread.sleep(forTimeInterval: 8)
        try cluster.scheduler.restart()
        let backAt = HATime.now
        let leader = try cluster.waitForLeader(timeout: .seconds(60))
        let ledAt = try #require(leader.becameLeader.last)
        let firstSend = try waitFor("\(leader) to send after Redis came back", timeout: .seconds(60)) {
            leader.sends.first { $0.time > backAt }?.time
        }
        #expect(
            firstSend - backAt <= cluster.retry + 1,
            "sending resumed \(firstSend - backAt) s after Redis was back (leader since \(ledAt - backAt) s)\n\(cluster.logs)")
        try expectOneLeaderSendingAgain(cluster, since: backAt, gap: (stoppedAt, backAt))
    }

    @Test("Freeze redis-server past the TTL: the leader stops, exactly one leader afterwards, no duplicates")
    func redisFrozenPastTheTTL() throws {
        let cluster = try HACluster(entries: 3, ttl: 3, retry: 0.2)
        defer { cluster.stop() }
        for _ in 0..<3 { try cluster.startNode() }
        let before = try cluster.waitForLeader()
        try waitUntil("\(before) to send", timeout: .seconds(10)) { before.sends.count >= 9 }

        let frozenAt = HATime.now
        cluster.scheduler.suspend()
        // Past the TTL on Redis's clock and on every node's.
        Thread.sleep(forTimeInterval: cluster.ttl + 2)
        cluster.scheduler.resume()
        let backAt = HATime.now
        try expectOneLeaderSendingAgain(cluster, since: backAt, gap: (frozenAt, backAt))
        // The leader of before did not trust its lease through the freeze, and said so.
        #expect(before.becameStandby.contains { $0.time > frozenAt }, "\(before.process.log)")
    }

    /// After a Redis outage ending at `since`: every node still runs, exactly one believes it leads
    /// and holds the lock (as `swiftbeat status` also says), it sends, and no second fired twice.
    private func expectOneLeaderSendingAgain(_ cluster: HACluster, since: Double, gap: (Double, Double)) throws {
        let leader = try cluster.waitForLeader(timeout: .seconds(60))
        try waitUntil("\(leader) to send after Redis came back", timeout: .seconds(30)) {
            leader.sends.filter { $0.time > since }.count >= 3 * cluster.entryNames.count
        }
        let crashed = cluster.nodes.filter { !$0.isRunning }
        #expect(crashed.isEmpty, "exited: \(crashed)\n\(cluster.logs)")
        let leaders = cluster.nodes.filter(\.believesItLeads)
        #expect(leaders.map(\.pid) == [leader.pid], "nodes that believe they lead: \(leaders)\n\(cluster.logs)")

        let status = try cluster.status()
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.contains("pid \(leader.pid)"), "\(status.stdout)")

        let resumed = try #require(leader.sends.first { $0.time > since }?.time)
        cluster.stopNodes()
        var check = HASlotCheck()
        check.gaps = [(gap.0, max(gap.1, resumed))]
        let firings = try cluster.brokerFirings()
        let problems = check.problems(firings, entries: cluster.entryNames)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(cluster.logs)")
        // A commit cut off by the outage either ran whole (state and message) or not at all.
        #expect(try cluster.runCountMismatches(firings) == [])
    }
}
