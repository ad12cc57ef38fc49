import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// `swiftbeat run` with the store and the broker behind three sentinels, and a Python Celery
/// worker on `sentinel://` too; the master is killed with SIGKILL, round after round, and firing
/// must resume on the promoted replica without restarting anything.
///
/// The figures it prints are the README's ("Failover"); for a measurement, more rounds and entries,
/// with or without `--wait-replicas`:
///
///     SWIFTBEAT_FAILOVER_ROUNDS=6 SWIFTBEAT_FAILOVER_ENTRIES=100 SWIFTBEAT_FAILOVER_WAIT_REPLICAS=1 \
///         scripts/test --filter RunSentinelTests
@Suite("run behind Sentinel: firing resumes on the promoted replica after kill -9 of the master", .timeLimit(.minutes(10)))
struct RunSentinelTests {
    static func setting(_ name: String, default value: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? value
    }
    static let rounds = setting("SWIFTBEAT_FAILOVER_ROUNDS", default: 3)
    /// Entries due every second; the first is `tick`, which the checks follow.
    static let entries = setting("SWIFTBEAT_FAILOVER_ENTRIES", default: 10)
    static let waitReplicas = setting("SWIFTBEAT_FAILOVER_WAIT_REPLICAS", default: 0)

    @Test("three failovers: every round firing resumes, and what was sent after a failover reaches the worker")
    func failoverRounds() throws {
        let venv = try #require(CeleryVenv.all.last)
        let group = try SentinelGroup.start()
        defer { group.stop() }
        let options = SentinelGroup.transportOptions
        let worker = try CeleryWorker(venv: venv, brokerURL: group.url + "/0", transportOptions: options)
        defer { worker.stop() }
        let schedulerURL = group.url + "/1"
        let added = try SwiftbeatBinary.run([
            "add", "tick", "--task", "probe.record", "--every", "1s", "--scheduler-url", schedulerURL,
            "--scheduler-transport-options", options,
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let store = try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(group.servers[0].port)/1"))
        for index in 1..<max(1, Self.entries) {
            _ = try store.send("SET", "tasks:meta:tick-\(index)", #"{"task": "probe.record", "schedule": {"every": 1}, "args": [\#(index)]}"#)
        }
        store.close()
        let beat = try SwiftbeatBinary.launch(
            [
                "run", "--scheduler-url", schedulerURL, "--scheduler-transport-options", options, "--broker-url", group.url + "/0",
                "--broker-transport-options", options, "--reload-interval", "1", "--max-interval", "1",
                "--wait-replicas", String(Self.waitReplicas),
            ],
            name: "swiftbeat-run-sentinel")
        defer { beat.stop() }
        try beat.waitForLog(containing: "this node is now the leader")
        #expect(beat.log.contains("commit and push in one redis transaction"))
        let status = try SwiftbeatBinary.run(["status", "--scheduler-url", schedulerURL, "--scheduler-transport-options", options])
        #expect(
            status.stdout.hasPrefix(
                "redis: master mymaster at 127.0.0.1:\(group.servers[0].port) db 1, named by sentinel 127.0.0.1:\(group.sentinelPorts[0]) of "),
            "\(status.stdout)")

        var master = group.servers[0]
        var figures: [FailoverRound] = []
        for round in 1...Self.rounds {
            try waitUntil("three firings before round \(round)", timeout: .seconds(60), pollingEvery: .milliseconds(250)) {
                sent(beat, entry: "tick").count >= (figures.last?.tickSentBefore ?? 0) + 3
            }
            let killedAt = SystemClock.now()
            let sentBefore = sent(beat)
            master.killAbruptly()
            let promoted = try group.waitForSwitch(from: master)
            let switchedAt = SystemClock.now()
            try waitUntil("firing to resume after round \(round)'s failover", timeout: .seconds(90), pollingEvery: .milliseconds(250)) {
                sent(beat, entry: "tick").filter { $0.at > killedAt }.count >= 3
            }
            let after = sent(beat).filter { $0.at > killedAt }
            // What was sent after the failover went to the new master, and the worker must get all of it.
            let expected = Set(after.filter { $0.entry == "tick" }.prefix(3).compactMap(\.id))
            try waitUntil("the worker to run tick's first firings after round \(round)", timeout: .seconds(60), pollingEvery: .milliseconds(250)) {
                expected.isSubset(of: Set(worker.records.compactMap { $0["id"]?.stringValue }))
            }
            figures.append(FailoverRound(killedAt: killedAt, switchedAt: switchedAt, before: sentBefore, after: after, worker: worker))
            #expect(beat.isRunning, "the beat kept running through round \(round)")
            if round < Self.rounds {
                _ = try group.addReplica(of: promoted)
                try group.waitForSentinelsToSee(group.servers.last!)
            }
            master = promoted
        }
        for (index, round) in figures.enumerated() {
            // The figures the README quotes; printed so that a run shows them.
            print("sentinel failover round \(index + 1) (\(Self.entries) entries, --wait-replicas \(Self.waitReplicas)): \(round)")
        }
        let paused = figures.map(\.pause)
        #expect(paused.allSatisfy { $0 < .seconds(30) }, "firing stopped for \(paused)")
    }

    private func sent(_ beat: ManagedProcess, entry: String? = nil) -> [RunSentLine] {
        beat.log.split(separator: "\n").compactMap { RunSentLine(String($0)) }.filter { entry == nil || $0.entry == entry }
    }
}

/// One failover as the beat's log and the worker saw it, over every entry.
struct FailoverRound: CustomStringConvertible {
    var tickSentBefore: Int
    /// The longest time without a firing sent, from the last one before the kill to the first one
    /// after the promotion (a commit answered just before the kill may be logged just after it).
    var pause: Duration
    /// From the kill to the sentinels' +switch-master (as the test saw it in their logs).
    var promotion: Duration
    /// Firings sent within 0.5 s of the same entry's one before (an entry due every second fired
    /// again: its run state was lost with the old master).
    var repeats: Int
    /// Firings sent in the 2 s before the kill.
    var recent: Int
    /// Of those, the ones that never reached the worker (lost with the old master).
    var lost: Int

    init(killedAt: Instant, switchedAt: Instant, before: [RunSentLine], after: [RunSentLine], worker: CeleryWorker) {
        tickSentBefore = before.filter { $0.entry == "tick" }.count
        promotion = .microseconds((switchedAt - killedAt).value)
        let resumed = after.firstIndex { $0.at >= switchedAt } ?? after.count - 1
        let times = (before.suffix(1) + after.prefix(resumed + 1)).map(\.at).sorted()
        pause = .microseconds(zip(times, times.dropFirst()).map { ($1 - $0).value }.max() ?? 0)
        repeats = 0
        for entry in Set(after.map(\.entry)) {
            let times = (before.filter { $0.entry == entry }.suffix(1) + after.filter { $0.entry == entry }).map(\.at)
            repeats += zip(times, times.dropFirst()).filter { ($1 - $0).value < 500_000 }.count
        }
        let recentFirings = before.filter { (killedAt - $0.at).value < 2_000_000 }
        recent = recentFirings.count
        let received = Set(worker.records.compactMap { $0["id"]?.stringValue })
        lost = recentFirings.filter { firing in firing.id.map { !received.contains($0) } ?? false }.count
    }

    var description: String {
        "replica promoted after \(promotion), firing paused \(pause), \(repeats) repeated, \(lost) of the \(recent) sent in the last 2 s before the kill never reached the worker"
    }
}
