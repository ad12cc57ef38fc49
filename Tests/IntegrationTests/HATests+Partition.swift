import Foundation
import RedisClient
import Testing
import TestSupport

extension HATests {
    /// Found by `scripts/faults leader-partitioned`'s reading of the firing pass: with a broker that
    /// is not the scheduler's Redis, the groups committed early in a pass were published at its end,
    /// and a partition that made a later group's reply time out (5 s) delayed that end past the lock's
    /// expiry, when a standby may already send.
    @Test(
        "A leader cut off from Redis in the middle of a firing pass hands the broker nothing after its lease ran out, not even what it committed earlier in the pass"
    )
    func leaderCutOffMidPassPublishesNothingPastItsLease() throws {
        let cluster = try HACluster(broker: .separateServer, entries: 100, ttl: 3, retry: 0.2)
        defer { cluster.stop() }
        let proxy = try FreezableProxy(targetPort: cluster.scheduler.port)
        defer { proxy.stop() }
        cluster.nodeSchedulerPort = proxy.port
        let node = try cluster.startNode()
        _ = try cluster.waitForLeader(among: [node])
        try waitUntil("\(node) to send", timeout: .seconds(15)) { node.sends.count >= 200 }

        // The 100 entries fire together on each whole second, in two commit groups: armed half-way
        // between passes, the proxy lets the first group's EXEC through and holds the second's.
        try waitUntil("the middle of a second", timeout: .seconds(2), pollingEvery: .milliseconds(10)) {
            (0.4...0.6).contains(HATime.now.truncatingRemainder(dividingBy: 1))
        }
        proxy.freezeUpstream(atOccurrence: 2, of: Array("$4\r\nEXEC\r\n".utf8))
        let frozenAt = try waitFor("the second commit of a pass", timeout: .seconds(5)) { proxy.upstreamFrozenAt }

        // The lease was last renewed before the freeze, so it ends by frozenAt + 0.8 TTL; the
        // group's reply times out only at frozenAt + 5 s. Watch the broker past both.
        let broker = try RedisConnection(configuration: try RedisConfiguration(url: cluster.brokerURL))
        defer { broker.close() }
        let leaseEnd = frozenAt + cluster.ttl * 0.8
        var atLeaseEnd: Int64?
        var grew: [(time: Double, length: Int64)] = []
        while HATime.now < frozenAt + 8 {
            let now = HATime.now
            let length = try broker.send("LLEN", "celery").integer ?? 0
            if now <= leaseEnd {
                atLeaseEnd = length
            } else if let atLeaseEnd, now > leaseEnd + 0.2, length > atLeaseEnd {
                grew.append((now - frozenAt, length - atLeaseEnd))
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(grew.isEmpty, "firings reached the broker after the lease ended (s after the freeze, how many): \(grew.prefix(3))\n\(cluster.logs)")

        // What was committed and not handed over is dropped, and said so (the documented window).
        let dropped = try waitFor("\(node) to drop the firings it could not send in time", timeout: .seconds(15)) {
            let lines = node.lines.filter { $0.text.contains("dropped an unsent firing") }
            return lines.isEmpty ? nil : lines
        }
        #expect(node.becameStandby.contains { $0.time > frozenAt })

        // Back in touch, it leads again, and every run count matches what was sent, but for the drops.
        proxy.thawUpstream()
        let retaken = try waitFor("\(node) to lead again", timeout: .seconds(20)) { node.becameLeader.last { $0 > frozenAt } }
        try waitUntil("\(node) to send again", timeout: .seconds(10)) { node.sends.contains { $0.time > retaken + 1 } }
        cluster.stopNodes()
        let firings = try cluster.brokerFirings()
        var missing = 0
        for entry in cluster.entryNames {
            let stored = try cluster.totalRunCount(of: entry) ?? 0
            missing += Int(stored) - firings.filter { $0.entry == entry }.count
        }
        #expect(missing == dropped.count, "committed but not sent: \(missing), dropped lines: \(dropped.count)\n\(cluster.logs)")
        #expect(Set(firings.map(\.id)).count == firings.count, "a task id was sent twice")
    }
}
