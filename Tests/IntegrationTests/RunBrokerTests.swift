import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// When a firing cannot be delivered, `swiftbeat run` keeps running, retries with backoff instead
/// of spinning, never records a firing it did not send, and the firing arrives once the broker can
/// take it.
@Suite struct RunBrokerTests {
    static func entry(every: String, args: String = "[]", options: String? = nil, lastRunAt: Instant? = nil) -> String {
        var json = #"{"task": "probe.record", "schedule": \#(every), "args": \#(args)"#
        if let options { json += #", "options": \#(options)"# }
        if let lastRunAt { json += #", "last_run_at": \#(RunHarness.componentDatetime(lastRunAt))"# }
        return json + "}"
    }

    /// CPU seconds the beat uses while `body` runs.
    private func cpu(of harness: RunHarness, during body: () throws -> Void) throws -> Double {
        let before = try harness.beatCPUSeconds()
        try body()
        return try harness.beatCPUSeconds() - before
    }

    /// Same-server broker: a message for an exchange no queue is bound to cannot be pushed. The
    /// firing is retried (not spun on), is not recorded as run, and goes out once a binding exists.
    @Test func anUnroutableFiringIsRetriedWithoutSpinning() throws {
        let harness = try RunHarness(launch: false)
        try harness.set("good", Self.entry(every: #"{"every": 1}"#))
        try harness.set(
            "routed", Self.entry(every: #"{"every": 1, "period": "hours"}"#, options: #"{"exchange": "reports", "routing_key": "daily"}"#,
            lastRunAt: SystemClock.now() - .seconds(7200)))
        try harness.launchBeat()
        try harness.waitForSent("good", count: 1)

        let used = try cpu(of: harness) {
            let count = harness.sent("good").count
            try harness.waitForSent("good", count: count + 4)
        }
        #expect(used < 0.6, "the beat used \(used) s of CPU in 4 s")
        #expect(harness.sent("routed").isEmpty)
        #expect(try harness.runCount("routed") == 0)  // not recorded as run: it was not sent
        let complaints = harness.logLines(containing: "cannot route a firing")
        #expect(!complaints.isEmpty && complaints.count <= 2, "\(complaints.count) lines")

        // A worker declares the queue (kombu's binding set): the waiting firing goes out, once.
        let broker = try #require(harness.brokerRedis)
        _ = try broker.send("SADD", "_kombu.binding.reports", "daily\u{06}\u{16}\u{06}\u{16}reports-daily")
        try harness.waitForSent("routed", count: 1, timeout: .seconds(45))
        let delivered = try harness.queued("reports-daily")
        #expect(delivered.count == 1)
        #expect(delivered.first?.periodicTaskName == "routed")
        #expect(try harness.runCount("routed") == 1)
    }

    /// Same-server broker that cannot be used (its database does not exist): nothing may be
    /// recorded as sent, no run state written, and the beat keeps running without spinning.
    @Test func anUnusableSameServerBrokerRecordsNothingAsSent() throws {
        let harness = try RunHarness(redisOptions: RedisServerOptions(extraArguments: ["--databases", "4"]), launch: false)
        try harness.set("tick", Self.entry(every: #"{"every": 1}"#))
        harness.brokerURL = "\(harness.redis.url)/9"
        try harness.launchBeat()
        #expect(harness.log.contains("commit and push in one redis transaction"))
        try waitUntil("the broker failure to be logged", timeout: .seconds(30)) {
            !harness.logLines(containing: "cannot reach the broker").isEmpty
        }
        let used = try cpu(of: harness) {
            let clock = ContinuousClock()
            let start = clock.now
            try waitUntil("four seconds", timeout: .seconds(30), pollingEvery: .milliseconds(250)) { clock.now - start >= .seconds(4) }
        }
        #expect(used < 0.6, "the beat used \(used) s of CPU in 4 s")
        #expect(harness.sent().isEmpty, "\(harness.sent())")
        #expect(try harness.runCount("tick") == 0)
        #expect(try harness.entry("tick")?["last_run_at"] == nil)
        #expect(harness.beat?.isRunning == true)
    }

    /// The broker is a second redis-server (so a firing is committed, then published): stopped
    /// for a few seconds, then back. The firing that fell due meanwhile arrives, once.
    @Test func aRedisBrokerDownForAFewSeconds() throws {
        let broker = try RedisServer.start()
        defer { broker.stop() }
        let harness = try RunHarness(brokerURL: "\(broker.url)/0", brokerRedisURL: "\(broker.url)/0", launch: false)
        try harness.set("tick", Self.entry(every: #"{"every": 1}"#, args: #"["tick"]"#))
        try harness.launchBeat()
        #expect(harness.log.contains("commit, then publish"))
        try harness.waitForSent("tick", count: 2)

        broker.stop()
        try harness.set("due", Self.entry(every: #"{"every": 1, "period": "hours"}"#, args: #"["due"]"#, lastRunAt: SystemClock.now() - .seconds(7200)))
        try waitUntil("the failed publish to be logged", timeout: .seconds(30)) {
            !(harness.logLines(containing: "did not take").isEmpty && harness.logLines(containing: "cannot reach the broker").isEmpty)
        }
        // Committed (the run state is the schedule's truth) but not sent yet.
        try waitUntil("the due entry to be committed", timeout: .seconds(30)) { try harness.runCount("due") == 1 }
        #expect(harness.sent("due").isEmpty)
        #expect(harness.beat?.isRunning == true)

        try broker.restart()
        try harness.waitForSent("due", count: 1, timeout: .seconds(45))
        let brokerConnection = try RedisConnection(configuration: RedisConfiguration(url: "\(broker.url)/0"))
        defer { brokerConnection.close() }
        let messages = try (brokerConnection.send("LRANGE", "celery", 0, -1).array ?? []).map { try RunQueuedMessage(envelope: try #require($0.string)) }
        let due = messages.filter { $0.periodicTaskName == "due" }
        #expect(due.count == 1)
        #expect(due.first?.args == [.string("due")])
        #expect(due.first?.id == harness.sent("due").first?.id)
        // Ticks resume too, and the beat never exited.
        let ticks = harness.sent("tick").count
        try harness.waitForSent("tick", count: ticks + 2)
        #expect(harness.sent("due").count == 1)
        #expect(try harness.runCount("due") == 1)
    }

    /// RabbitMQ becomes unreachable for a few seconds: the test's own vhost refuses connections and
    /// the beat's connection is closed (the node keeps serving the other tests). The firing that fell
    /// due meanwhile reaches a Python worker once the vhost is back.
    @Test(.enabled(if: AMQPTestServer.isAvailable && RunWorker.newestVenv != nil))
    func aRabbitMQBrokerDownForAFewSeconds() throws {
        let server = try AMQPTestServer.required()
        let vhost = AMQPTestServer.uniqueName("run")
        try server.rabbitmqctl("add_vhost", vhost)
        defer { _ = try? server.rabbitmqctl("delete_vhost", vhost) }
        try server.rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        let brokerURL = String(server.url.dropLast()) + vhost  // amqp://guest:guest@host:port/<vhost>

        let harness = try RunHarness(brokerURL: brokerURL, launch: false)
        try harness.set("tick", Self.entry(every: #"{"every": 1}"#, args: #"["tick"]"#))
        try harness.launchBeat()
        try harness.waitForSent("tick", count: 2)

        // Down: no new connections to the vhost, and the beat's connection closed by the broker.
        try server.rabbitmqctl("set_vhost_limits", "-p", vhost, #"{"max-connections": 0}"#)
        let listing = try server.rabbitmqctl("-q", "--no-table-headers", "list_connections", "pid", "vhost")
        for line in listing.split(separator: "\n") {
            let columns = line.split(separator: "\t")
            if columns.count == 2, columns[1] == vhost[...] {
                try server.rabbitmqctl("close_connection", String(columns[0]), "a swiftbeat test takes the broker down")
            }
        }
        try harness.set("due", Self.entry(every: #"{"every": 1, "period": "hours"}"#, args: #"["due"]"#, lastRunAt: SystemClock.now() - .seconds(7200)))
        try waitUntil("the failed publish to be logged", timeout: .seconds(30)) {
            !(harness.logLines(containing: "did not take").isEmpty && harness.logLines(containing: "cannot reach the broker").isEmpty)
        }
        try waitUntil("the due entry to be committed", timeout: .seconds(30)) { try harness.runCount("due") == 1 }
        #expect(harness.sent("due").isEmpty)

        try server.rabbitmqctl("clear_vhost_limits", "-p", vhost)
        try harness.waitForSent("due", count: 1, timeout: .seconds(60))
        #expect(harness.beat?.isRunning == true)

        let venv = try #require(RunWorker.newestVenv)
        let worker = try RunWorker(venv: venv, brokerURL: brokerURL)
        let records = try worker.waitForRecords(where: { $0["args"] == .array([.string("due")]) }, count: 1)
        #expect(records.first?["id"]?.stringValue == harness.sent("due").first?.id)
        #expect(records.first?["headers"]?.objectValue?["periodic_task_name"] == .string("due"))
        #expect(harness.sent("due").count == 1)
    }
}
