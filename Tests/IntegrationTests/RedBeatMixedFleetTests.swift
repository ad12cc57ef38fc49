import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// A rolling migration: Python RedBeat beats and swiftbeat nodes on one Redis share `redbeat::lock`,
/// so exactly one sends. SIGKILL the sender, whichever kind it is: another takes over within the
/// lock timeout plus a second, and no firing is repeated.
@Suite(.serialized) struct RedBeatMixedFleetTests {
    static let lockTimeout = 3.0

    @Test func eachFiringGoesOutOnceWhileSendersOfBothKindsAreKilled() throws {
        let venv = try #require(RunWorker.newestVenv)
        let harness = try RunHarness(launch: false)
        // Python standbys retry every half second (redis-py's lock sleeps max_interval), swiftbeat's
        // at the moment the lock expires: both within the timeout plus a second.
        let redbeat = RedBeatPython(venv: venv, harness: harness, lockTimeout: Self.lockTimeout, maxInterval: 0.5)
        try redbeat.save("tick", #"{"task": "tasks.add", "every": 2, "args": [1, 1]}"#)
        let worker = try RunWorker(venv: venv, brokerURL: harness.brokerURL)
        func received() -> Int { worker.records.filter { $0["task"]?.stringValue == "tasks.add" }.count }
        func waitForMore(_ count: Int, _ who: String) throws {
            let target = received() + count
            try waitUntil("\(count) more firings from \(who)", timeout: .seconds(60)) { received() >= target }
        }
        func isSwiftbeat(_ token: String?) -> Bool { token?.hasPrefix("{") == true }

        // Python holds the lock; two swiftbeat nodes stand by.
        let python = try redbeat.launchBeat()
        defer { python.stop() }
        try waitUntil("RedBeat's beat to take the lock:\n\(python.log.suffix(2000))", timeout: .seconds(60)) {
            try harness.redBeatLockHolder().map { !isSwiftbeat($0) } ?? false
        }
        var nodes = [try harness.launchRedBeatNode(lockTTL: Self.lockTimeout), try harness.launchRedBeatNode(lockTTL: Self.lockTimeout)]
        defer { for node in nodes { node.stop() } }
        try waitForMore(2, "RedBeat")
        #expect(nodes.allSatisfy { !$0.log.contains("this node is now the leader") })

        // SIGKILL Python: a swiftbeat node takes over.
        try takeOver(after: python, in: harness, by: "swiftbeat") { isSwiftbeat($0) }
        try waitForMore(2, "swiftbeat")
        let leader = try #require(nodes.firstIndex { $0.log.contains("this node is now the leader") })

        // SIGKILL that node with a Python beat the only standby: Python takes over.
        let standby = nodes.remove(at: 1 - leader)
        standby.stop()
        let second = try redbeat.launchBeat()
        defer { second.stop() }
        try waitUntil("the second RedBeat beat to stand by:\n\(second.log.suffix(2000))", timeout: .seconds(60)) {
            second.log.contains("beat: Acquiring lock")
        }
        try takeOver(after: nodes[0], in: harness, by: "RedBeat") { $0 != nil && !isSwiftbeat($0) }
        try waitForMore(2, "RedBeat")

        // And back: SIGKILL Python with a fresh swiftbeat node standing by.
        nodes.append(try harness.launchRedBeatNode(lockTTL: Self.lockTimeout))
        try nodes[1].waitForLog(containing: "all entries loaded")
        try takeOver(after: second, in: harness, by: "swiftbeat") { isSwiftbeat($0) }
        try waitForMore(2, "swiftbeat")

        // Every firing once: each one advanced total_run_count by one, and none came within a
        // second of another (the entry is every 2 s; a firing repeated by two senders comes at once).
        for node in nodes { node.stop() }
        try waitUntil("the queue to drain", timeout: .seconds(30)) { try harness.brokerRedis?.send("LLEN", "celery").integer == 0 }
        let records = worker.records.filter { $0["task"]?.stringValue == "tasks.add" }
        let state = try redbeat.inspect("tick")
        #expect(state["total_run_count"]?.numberValue?.int64Value == Int64(records.count))
        let times = records.compactMap { $0["received_at"]?.numberValue?.doubleValue }.sorted()
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 > 1.0 }, "gaps between firings: \(gaps)")
    }

    /// SIGKILLs `sender` (which holds the lock) and waits until `isNewHolder` accepts the lock's
    /// value: within the lock timeout plus a second.
    private func takeOver(
        after sender: ManagedProcess, in harness: RunHarness, by who: String, _ isNewHolder: (String?) -> Bool
    ) throws {
        let killedHolder = try harness.redBeatLockHolder()
        let clock = ContinuousClock()
        let killedAt = clock.now
        sender.signal(SIGKILL)
        try waitUntil("\(who) to take the lock from a killed sender (\(killedHolder ?? "none"))", timeout: .seconds(30)) {
            let holder = try harness.redBeatLockHolder()
            return holder != killedHolder && isNewHolder(holder)
        }
        let took = clock.now - killedAt
        #expect(took <= .seconds(Self.lockTimeout + 1), "\(who) took the lock \(took) after the kill")
    }
}
