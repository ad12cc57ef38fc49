import Foundation
import Testing
import TestSupport

extension HATests {
    @Test("SIGKILL the leader ten times: each takeover within TTL + 1 s, no duplicate, one catch-up per gap")
    func tenKillsInARow() throws {
        let cluster = try HACluster(entries: 3, ttl: 3, retry: 0.2)
        defer { cluster.stop() }
        for _ in 0..<3 { try cluster.startNode() }
        var leader = try cluster.waitForLeader()
        try waitUntil("\(leader) to send", timeout: .seconds(10)) { !leader.sends.isEmpty }
        var check = HASlotCheck()
        var takeovers: [Double] = []

        for round in 1...10 {
            let killedAt = HATime.now
            leader.process.signal(SIGKILL)
            _ = try leader.process.waitForExit(timeout: .seconds(10))
            let killed = leader
            leader = try cluster.waitForLeader(among: cluster.runningNodes, timeout: .seconds(30))
            let tookOver = try #require(leader.becameLeader.last { $0 >= killedAt - 0.001 })
            takeovers.append(tookOver - killedAt)
            #expect(
                tookOver - killedAt <= cluster.ttl + 1,
                "round \(round): \(leader) took over \(tookOver - killedAt) s after \(killed) was killed")
            check.gaps.append((killedAt, tookOver))
            // Keep two standbys, and let the new leader send before the next kill.
            try cluster.startNode()
            try waitUntil("\(leader) to send after taking over", timeout: .seconds(10)) {
                leader.sends.contains { $0.time > tookOver }
            }
        }
        // One more second of sending after the last takeover, then stop everything.
        let last = HATime.now
        try waitUntil("a send after the last takeover", timeout: .seconds(10)) {
            leader.sends.contains { $0.time > last + 1 }
        }
        cluster.stopNodes()

        let firings = try cluster.brokerFirings()
        let problems = check.problems(firings, entries: cluster.entryNames)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(cluster.logs)")
        // Nothing the beat committed was lost or doubled: the run counts match the broker.
        #expect(try cluster.runCountMismatches(firings) == [])
        let sorted = takeovers.sorted()
        print("HA: SIGKILL takeover with --lock-ttl 3: min \(sorted.first!) s, median \(sorted[sorted.count / 2]) s, max \(sorted.last!) s")
    }

    @Test("SIGTERM the leader: it releases the lock and exits 0 within 2 s; a standby takes over within its retry period + 1 s")
    func terminateHandsOverAtOnce() throws {
        // A long TTL shows the handover comes from the release, not from the lock expiring.
        let cluster = try HACluster(entries: 3, ttl: 30, retry: 1)
        defer { cluster.stop() }
        let first = try cluster.startNode()
        let leader = try cluster.waitForLeader()
        #expect(leader === first)
        let standby = try cluster.startNode()
        try waitUntil("\(leader) to send", timeout: .seconds(10)) { leader.sends.count >= 3 }

        let terminatedAt = HATime.now
        leader.process.signal(SIGTERM)
        let status = try leader.process.waitForExit(timeout: .seconds(10))
        let exitedAfter = HATime.now - terminatedAt
        #expect(status == 0)
        #expect(exitedAfter <= 2, "the leader took \(exitedAfter) s to exit")
        #expect(leader.process.log.contains("released the lock"))

        let newLeader = try cluster.waitForLeader(among: [standby], timeout: .seconds(10))
        let tookOver = try #require(newLeader.becameLeader.last)
        #expect(tookOver - terminatedAt <= cluster.retry + 1, "took over \(tookOver - terminatedAt) s after SIGTERM")
        try waitUntil("\(newLeader) to send", timeout: .seconds(10)) { newLeader.sends.count >= 2 }
        cluster.stopNodes()

        var check = HASlotCheck()
        check.gaps = [(terminatedAt, tookOver)]
        let firings = try cluster.brokerFirings()
        let problems = check.problems(firings, entries: cluster.entryNames)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(cluster.logs)")
        // The leader wrote back the state of everything it sent before it exited.
        #expect(try cluster.runCountMismatches(firings) == [])
    }

    @Test("SIGTERM still releases and exits 0 when the parent started swiftbeat with SIGTERM blocked")
    func terminateThroughAnInheritedSignalMask() throws {
        let cluster = try HACluster(entries: 1, ttl: 30, retry: 1)
        defer { cluster.stop() }
        let node = try cluster.startNode(terminationBlocked: true)
        _ = try cluster.waitForLeader(among: [node])
        let status = try String(contentsOfFile: "/proc/\(node.pid)/status", encoding: .utf8)
        let blocked = status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }
            .flatMap { UInt64($0.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16) }
        let termination: UInt64 = 1 << (UInt64(SIGTERM) - 1) | 1 << (UInt64(SIGINT) - 1)
        #expect(blocked.map { $0 & termination } == 0, "swiftbeat kept SIGTERM or SIGINT blocked: \(String(blocked ?? 0, radix: 16))")

        let terminatedAt = HATime.now
        node.process.signal(SIGTERM)
        #expect(try node.process.waitForExit(timeout: .seconds(10)) == 0)
        #expect(HATime.now - terminatedAt <= 2)
        #expect(try cluster.lockHolderPID() == nil, "the lock was not released")
    }
}
