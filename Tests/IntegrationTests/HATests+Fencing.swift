import Foundation
import RedisClient
import Testing
import TestSupport

extension HATests {
    @Test(
        "SIGSTOP the leader past its TTL, then SIGCONT: it sends nothing more, logs that it is a standby, and can lead again",
        arguments: HABroker.allCases)
    func pausedLeaderSendsNothingAfterResuming(broker: HABroker) throws {
        let cluster = try HACluster(broker: broker, entries: 3, ttl: 3, retry: 0.2)
        defer { cluster.stop() }
        let paused = try cluster.startNode()
        _ = try cluster.waitForLeader(among: [paused])
        let other = try cluster.startNode()
        try waitUntil("\(paused) to send", timeout: .seconds(10)) { paused.sends.count >= 3 }

        let stoppedAt = HATime.now
        paused.process.signal(SIGSTOP)
        _ = try cluster.waitForLeader(among: [other], timeout: .seconds(30))
        let tookOver = try #require(other.becameLeader.last)
        #expect(tookOver - stoppedAt <= cluster.ttl + 1)
        // Past the paused node's TTL for sure: the other node took the lock and has sent since.
        try waitUntil("\(other) to send", timeout: .seconds(10)) { other.sends.filter { $0.time > tookOver }.count >= 3 }

        let resumedAt = HATime.now
        paused.process.signal(SIGCONT)
        let standbyLine = try waitFor("\(paused) to say it stopped sending", timeout: .seconds(15)) {
            paused.becameStandby.last { $0.time >= resumedAt - 0.5 }
        }
        #expect(standbyLine.text.contains("the lock could not be renewed in time"), "\(standbyLine.text)")
        // Let both run on for a few more firings.
        let after = HATime.now
        try waitUntil("\(other) to keep sending", timeout: .seconds(10)) { other.sends.filter { $0.time > after }.count >= 6 }

        #expect(paused.isRunning, "a node that lost the lock must not exit:\n\(paused.process.log)")
        #expect(paused.sends.allSatisfy { $0.time < stoppedAt }, "\(paused) sent after it was stopped:\n\(paused.process.log)")
        #expect(try cluster.lockHolderPID() == other.pid)
        #expect(!paused.believesItLeads)

        // Nothing reached the broker from the paused node after the stop: every firing since was
        // logged by the other node, and no second of any entry fired twice.
        let firings = try cluster.brokerFirings()
        let othersIDs = Set(other.sends.map(\.id))
        let late = firings.filter { $0.firedAt >= stoppedAt && !othersIDs.contains($0.id) }
        #expect(late.isEmpty, "sent after the stop, not by the new leader: \(late)\n\(cluster.logs)")
        var check = HASlotCheck()
        check.gaps = [(stoppedAt, tookOver)]
        let problems = check.problems(firings, entries: cluster.entryNames)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(cluster.logs)")
        #expect(try cluster.runCountMismatches(firings) == [])

        // It rejoined the election: once the other node dies, it leads again.
        let killedAt = HATime.now
        other.process.signal(SIGKILL)
        _ = try cluster.waitForLeader(among: [paused], timeout: .seconds(30))
        let retookAt = try #require(paused.becameLeader.last)
        #expect(retookAt - killedAt <= cluster.ttl + 1)
        try waitUntil("\(paused) to send again", timeout: .seconds(10)) { paused.sends.contains { $0.time > retookAt } }
    }

    @Test(
        "A leader whose lock another token took stops at its very next commit, before any renewal, and never touches that lock",
        arguments: HABroker.allCases)
    func commitScriptFencesAStolenLock(broker: HABroker) throws {
        // TTL 30: the next renewal is 10 s after taking the lock, so only the commit can notice.
        let cluster = try HACluster(broker: broker, entries: 3, ttl: 30, retry: 0.2)
        defer { cluster.stop() }
        let node = try cluster.startNode()
        _ = try cluster.waitForLeader(among: [node])
        try waitUntil("\(node) to send", timeout: .seconds(10)) { node.sends.count >= 3 }

        // What a paused leader meets when it resumes inside a batch, after another node took over.
        let foreign = #"{"host": "elsewhere", "pid": 1, "token": "another-process", "since": "2026-01-01T00:00:00+00:00"}"#
        let stolenAt = HATime.now
        #expect(try cluster.adminCall("SET", HACluster.lockKey, foreign, "PX", "60000", "XX").isOK)
        let line = try waitFor("\(node) to find the lock gone", timeout: .seconds(5)) {
            node.becameStandby.last { $0.time >= stolenAt }
        }
        #expect(line.text.contains("the lock token was not found when committing a firing"), "\(line.text)")
        #expect(line.time - stolenAt < 2.5, "noticed only \(line.time - stolenAt) s later")

        // Standby now: it retries every 0.2 s, and must neither send nor touch the foreign lock.
        let standbySince = HATime.now
        Thread.sleep(forTimeInterval: 2)
        #expect(try cluster.adminCall("GET", HACluster.lockKey).string == foreign)
        #expect(node.isRunning)
        let firings = try cluster.brokerFirings()
        let afterSteal = firings.filter { $0.firedAt >= stolenAt }
        #expect(afterSteal.isEmpty, "committed after the lock was taken: \(afterSteal)\n\(node.process.log)")
        #expect(node.sends.allSatisfy { $0.time < standbySince })

        // Once the lock is free, it takes it back within its retry period.
        let freedAt = HATime.now
        try cluster.adminCall("DEL", HACluster.lockKey)
        _ = try cluster.waitForLeader(among: [node], timeout: .seconds(10))
        let retook = try #require(node.becameLeader.last)
        #expect(retook - freedAt <= cluster.retry + 1)
        try waitUntil("\(node) to send again", timeout: .seconds(10)) { node.sends.contains { $0.time > retook } }
        cluster.stopNodes()
        var check = HASlotCheck()
        check.gaps = [(stolenAt, retook)]
        let all = try cluster.brokerFirings()
        let problems = check.problems(all, entries: cluster.entryNames)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(cluster.logs)")
        // The refused commits wrote nothing: the run counts match what was sent.
        #expect(try cluster.runCountMismatches(all) == [])
    }
}
