import Foundation
import Testing
import TestSupport

/// Active-standby (issue 5) with real processes: several `swiftbeat run` nodes elect a leader
/// through a real redis-server, and a real Python worker or the broker list tells what was sent.
///
/// Short lock TTLs (3 s) and entries that fire every second keep the suite to a few minutes.
/// Correctness never rests on a fixed sleep: the tests wait for events with generous deadlines,
/// and sleep only to let a soak run. Serialized: each test starts its own servers and processes,
/// and timing checks are fairer on two cores without a sibling HA test competing.
@Suite("Active-standby with real processes", .serialized)
struct HATests {
    /// The newest Celery the repository has a venv for.
    static var worker: CeleryVenv {
        get throws {
            try #require(CeleryVenv.all.last, "no Celery venv: run scripts/test, or set SWIFTBEAT_TEST_CELERY_VENVS")
        }
    }

    @Test("Three nodes for 60 s: one leader sends, and every second of every entry fires exactly once")
    func threeNodesFireEverySlotOnce() throws {
        let cluster = try HACluster(entries: 4, ttl: 3, retry: 0.2)
        defer { cluster.stop() }
        let worker = try CeleryWorker(venv: try Self.worker, brokerURL: cluster.brokerURL, name: "ha-soak")
        defer { worker.stop() }
        for _ in 0..<3 { try cluster.startNode() }
        let leader = try cluster.waitForLeader()
        let started = HATime.now

        Thread.sleep(forTimeInterval: 60)

        #expect(try cluster.lockHolderPID() == leader.pid, "the lock changed hands during the soak:\n\(cluster.logs)")
        cluster.stopNodes()
        for node in cluster.nodes where node !== leader {
            #expect(node.sends.isEmpty, "\(node) was a standby and must not send:\n\(cluster.logs)")
            #expect(node.becameLeader.isEmpty, "\(node) became leader while \(leader) held the lock")
        }
        let logged = cluster.loggedSends
        #expect(Set(logged.map(\.id)).count == logged.count, "a task id was logged twice")
        // Every logged send reached the Python worker, once.
        let records = try worker.waitForRecords(count: logged.count, timeout: .seconds(60))
        let firings = records.compactMap(HAFiring.init(record:))
        #expect(firings.count == records.count, "a record lacked its id, entry or expires")
        #expect(Set(firings.map(\.id)) == Set(logged.map(\.id)), "the worker ran other tasks than the beat logged")
        #expect(firings.count == logged.count)

        let problems = HASlotCheck().problems(firings, entries: cluster.entryNames)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(cluster.logs)")
        for entry in cluster.entryNames {
            let count = firings.filter { $0.entry == entry }.count
            #expect(count >= 58, "\(entry) fired \(count) times in \(HATime.now - started) s")
            // The run state written back agrees: one increment per firing.
            #expect(try cluster.totalRunCount(of: entry) == Int64(count))
        }
    }
}
