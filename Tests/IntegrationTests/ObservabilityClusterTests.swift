import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// `run --http` on a cluster of real nodes: the metrics Prometheus would scrape agree with what a
/// real Celery worker received, exactly one node says it leads, and the health and readiness
/// endpoints follow a Redis outage and a frozen leader.
@Suite(.serialized) struct ObservabilityClusterTests {
    static let httpArguments = ["--http", "127.0.0.1:0", "--max-interval", "0.5", "--reload-interval", "1"]

    @Test func metricsOfThreeNodesAgreeWithWhatAWorkerReceived() throws {
        let venv = try #require(RunWorker.newestVenv, "no Celery venv (scripts/test makes them)")
        let cluster = try HACluster(entries: 3)
        defer { cluster.stop() }
        try cluster.adminCall("SET", HACluster.keyPrefix + "broken", #"{"schedule": {"every": 1}}"#)
        try cluster.adminCall(
            "SET", HACluster.keyPrefix + "off", #"{"task": "probe.record", "schedule": {"every": 1}, "enabled": false}"#)
        let worker = try RunWorker(venv: venv, brokerURL: cluster.brokerURL)
        let nodes = try (0..<3).map { _ in try cluster.startNode(extraArguments: Self.httpArguments) }
        let endpoints = try nodes.map { try BeatEndpoint(of: $0.process) }
        let leader = try cluster.waitForLeader()
        _ = try worker.waitForRecords(where: { _ in true }, count: 6)

        // Stop the firing (disable every entry), then every task sent must have reached the worker.
        for name in cluster.entryNames {
            try cluster.adminCall("SET", HACluster.keyPrefix + name, #"{"task": "probe.record", "schedule": {"every": 1}, "enabled": false}"#)
        }
        var scraped: [[BeatEndpoint.Series: Double]] = []
        try waitUntil("the nodes to count 4 disabled entries and the worker to have run every task sent", timeout: .seconds(60)) {
            scraped = try endpoints.map { try $0.metrics() }
            let sent = scraped.map { $0.total("swiftbeat_firings_total", matching: ["outcome": "sent"]) }.reduce(0, +)
            let waiting = try cluster.adminCall("LLEN", "celery").integer
            return scraped.allSatisfy { $0["swiftbeat_entries", ["state": "disabled"]] == 4 }
                && Int(sent) == worker.records.count && waiting == 0
        }
        let sent = scraped.map { $0.total("swiftbeat_firings_total", matching: ["outcome": "sent"]) }.reduce(0, +)
        #expect(sent >= 6)
        #expect(scraped.map { $0["swiftbeat_leader"] } == nodes.map { $0 === leader ? 1 : 0 }, "\(cluster.logs)")
        for metrics in scraped {
            #expect(metrics["swiftbeat_entries", ["state": "invalid"]] == 1)
            #expect(metrics["swiftbeat_entries", ["state": "valid"]] == 0)
            #expect(metrics["swiftbeat_build_info", ["version": "0.1.0"]] == 1)
        }
        let leaderMetrics = scraped[nodes.firstIndex { $0 === leader }!]
        #expect(leaderMetrics["swiftbeat_firings_total", ["queue": "celery", "outcome": "sent"]] == sent)
        #expect(leaderMetrics["swiftbeat_firing_lag_seconds_count"] == sent)
        #expect(leaderMetrics["swiftbeat_last_firing_timestamp_seconds"].map { abs($0 - HATime.now) < 120 } == true)
    }

    /// Whether every thread of `pid` is in state T (stopped), by /proc/PID/task/*/stat.
    static func isStopped(pid: Int32) -> Bool {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return !tasks.isEmpty && tasks.allSatisfy { task in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            return stat[stat.index(after: close)...].split(separator: " ").first == "T"
        }
    }

    @Test func healthAndReadinessThroughARedisOutageAndAFrozenLeader() throws {
        let cluster = try HACluster(
            entries: 1, redisOptions: RedisServerOptions(extraArguments: ["--appendonly", "yes", "--appendfsync", "always"]))
        defer { cluster.stop() }
        let nodes = try (0..<2).map { _ in try cluster.startNode(extraArguments: Self.httpArguments) }
        let endpoints = try nodes.map { try BeatEndpoint(of: $0.process) }
        let leader = try cluster.waitForLeader()
        let standby = nodes.first { $0 !== leader }!
        func endpoint(_ node: HANode) -> BeatEndpoint { endpoints[nodes.firstIndex { $0 === node }!] }
        try waitUntil("both nodes ready") { endpoints.allSatisfy { $0.get("/readyz")?.status == 200 } }
        #expect(endpoint(leader).get("/readyz")?.body == "leader: sending\n")
        #expect(endpoint(standby).get("/readyz")?.body == "standby: able to take over\n")

        cluster.scheduler.stop()
        try waitUntil("both nodes not ready, saying why", timeout: .seconds(60)) {
            endpoints.allSatisfy { $0.get("/readyz").map { $0.status == 503 && $0.body.contains("redis does not answer") } == true }
        }
        #expect(endpoints.allSatisfy { $0.get("/healthz")?.status == 200 }, "the loops keep turning through the outage")
        try cluster.scheduler.restart()
        try waitUntil("both nodes ready again", timeout: .seconds(60)) { endpoints.allSatisfy { $0.get("/readyz")?.status == 200 } }

        // A frozen leader answers nothing (its server thread is stopped with it); the standby takes over.
        let frozen = try cluster.waitForLeader()
        let other = nodes.first { $0 !== frozen }!
        frozen.process.signal(SIGSTOP)
        defer { frozen.process.signal(SIGCONT) }
        // kill(2) returns before a busy machine has stopped every thread: wait until it has.
        try waitUntil("every thread of \(frozen) to be stopped") { Self.isStopped(pid: frozen.pid) }
        #expect(endpoint(frozen).get("/healthz", timeout: 2) == nil)
        try waitUntil("the other node to lead", timeout: .seconds(60)) {
            (try? endpoint(other).metrics()["swiftbeat_leader"]) == 1 && endpoint(other).get("/readyz")?.body == "leader: sending\n"
        }
        frozen.process.signal(SIGCONT)
        try waitUntil("the thawed node to stand by, ready to take over", timeout: .seconds(60)) {
            (try? endpoint(frozen).metrics()["swiftbeat_leader"]) == 0 && endpoint(frozen).get("/readyz")?.body == "standby: able to take over\n"
        }
        #expect(endpoint(frozen).get("/healthz")?.status == 200)
    }
}
