import CivilTime
import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// A RabbitMQ that stops reading (its disk or memory alarm, a frozen VM: the TCP window fills and no
/// confirm comes) must not cost the leader its lock: it keeps renewing, commits nothing new while
/// its batches wait, says so once, and sends everything once the broker reads again.
@Suite struct RunBlockedBrokerTests {
    /// A proxy in front of the test suite's RabbitMQ stops forwarding for twice the lock TTL (the
    /// shared node keeps serving the other tests).
    @Test(.enabled(if: AMQPTestServer.isAvailable))
    func aBrokerThatStopsReadingForTwiceTheTTLKeepsTheLeaderAndLosesNothing() throws {
        let server = try AMQPTestServer.required()
        let vhost = AMQPTestServer.uniqueName("stall")
        let directURL = try server.makeVirtualHost(vhost)
        defer { try? server.deleteVirtualHost(vhost) }
        let port = try #require(Self.port(in: directURL), "no port in \(directURL)")
        let proxy = try FreezableProxy(targetPort: port)
        defer { proxy.stop() }
        let brokerURL = directURL.replacingOccurrences(of: ":\(port)/", with: ":\(proxy.port)/")

        let ttl = 3.0
        let harness = try RunHarness(brokerURL: brokerURL, launch: false)
        let entries = ["a", "b", "c"]
        for name in entries { try harness.set(name, RunBrokerTests.entry(every: #"{"every": 1}"#, args: #"["\#(name)"]"#)) }
        try harness.launchBeat(["--lock-ttl", "\(Int(ttl))"])
        try harness.waitForSent("a", count: 2)
        let token = try #require(try harness.schedule.send("GET", Self.lockKey).string)

        // Stalled: the lock must stay this node's the whole time, renewed (never below a third left).
        proxy.freeze(true)
        let clock = ContinuousClock()
        let frozenAt = clock.now
        var lowestRemaining = Int64.max
        var committedAfterBackPressure: Int64?
        while clock.now - frozenAt < .seconds(2 * ttl) {
            let holder = try harness.schedule.send("GET", Self.lockKey).string
            #expect(holder == token, "the lock moved during the stall:\n\(harness.log.suffix(3000))")
            lowestRemaining = min(lowestRemaining, try harness.schedule.send("PTTL", Self.lockKey).integer ?? -2)
            // Firing every second, a batch a second: the third left unconfirmed stops the commits.
            if committedAfterBackPressure == nil && clock.now - frozenAt >= .seconds(4.5) {
                committedAfterBackPressure = try Self.committed(entries, in: harness)
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let committedAtThaw = try Self.committed(entries, in: harness)
        #expect(lowestRemaining > 0, "the lock lapsed: \(lowestRemaining) ms left at worst")
        #expect(harness.logLines(containing: "stopped sending").isEmpty, "\(harness.log.suffix(3000))")
        // Back-pressure: a few batches go out unconfirmed, then nothing more is committed.
        #expect(committedAfterBackPressure == committedAtThaw, "committed while the broker was stalled")
        let stalledLines = harness.logLines(containing: "the broker has not confirmed")
        #expect(stalledLines.count == 1, "\(stalledLines)")

        // Reading again: everything committed goes out, once, and firing resumes at once.
        proxy.freeze(false)
        let resumed = try waitFor("the broker to confirm again", timeout: .seconds(10)) {
            harness.logLines(containing: "the broker confirms again").first
        }
        #expect(harness.logLines(containing: "the broker confirms again").count == 1, "\(resumed)")
        let sentAtThaw = harness.sent("a").count
        try harness.waitForSent("a", count: sentAtThaw + 2, timeout: .seconds(10))
        let beat = try #require(harness.beat)
        harness.stopBeat()

        let committed = try Self.committed(entries, in: harness)
        let sent = beat.log.split(separator: "\n").compactMap { RunSentLine(String($0)) }
        #expect(Int64(sent.count) == committed, "committed \(committed), logged sent \(sent.count)")
        #expect(Set(sent.compactMap { $0.metadata["id"] }).count == sent.count, "a task id was sent twice")
        let queued = try server.rabbitmqctl("-q", "--no-table-headers", "list_queues", "-p", vhost, "name", "messages")
        let messages = queued.split(separator: "\n").compactMap { line -> Int64? in
            let columns = line.split(separator: "\t")
            return columns.count == 2 && columns[0] == "celery" ? Int64(columns[1]) : nil
        }
        #expect(messages == [committed], "the broker holds \(messages) message(s) for \(committed) committed firing(s)")
        #expect(harness.logLines(containing: "did not take").isEmpty, "\(harness.log.suffix(3000))")
    }

    static let lockKey = "celery:beat:task_lock"

    /// Firings committed so far: the entries' run counts.
    static func committed(_ entries: [String], in harness: RunHarness) throws -> Int64 {
        try entries.reduce(0) { $0 + (try harness.runCount($1)) }
    }

    /// The port of an `amqp://user:password@host:port/vhost` URL.
    static func port(in url: String) -> Int? {
        guard let at = url.lastIndex(of: "@") else { return nil }
        let hostPort = url[url.index(after: at)...].prefix { $0 != "/" }
        return hostPort.split(separator: ":").last.flatMap { Int($0) }
    }
}
