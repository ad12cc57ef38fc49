import Foundation
import JSON
import RedisClient
import Testing
import TestSupport

/// Where messages go: other queues, named exchanges, priorities.
extension SendInteropTests {
    @Test("A task for another queue runs in that queue's worker, not in the celery worker", arguments: InteropTarget.all)
    func otherQueue(target: InteropTarget) async throws {
        let main = try await InteropFixtures.shared.worker(.main, for: target)
        let other = try await InteropFixtures.shared.worker(.other, for: target)
        let url = try await InteropFixtures.shared.brokerURL(for: target)
        let id = try await send(["--queue", "other", "--args", "[\"other\"]"], to: url)

        let record = try await other.pollForRecord(id: id)
        #expect(record["args"] == .array([.string("other")]))
        #expect(record["routing_key"] == .string("other"))
        #expect(main.record(id: id) == nil)
    }

    @Test("A named exchange and routing key reach the queue bound to them", arguments: InteropTarget.all)
    func namedExchange(target: InteropTarget) async throws {
        let main = try await InteropFixtures.shared.worker(.main, for: target)
        let other = try await InteropFixtures.shared.worker(.other, for: target)
        let url = try await InteropFixtures.shared.brokerURL(for: target)
        let id = try await send(["--exchange", WorkerRole.namedExchange, "--routing-key", WorkerRole.routingKey], to: url)

        let record = try await other.pollForRecord(id: id)
        #expect(record["exchange"] == .string(WorkerRole.namedExchange))
        #expect(record["routing_key"] == .string(WorkerRole.routingKey))
        #expect(main.record(id: id) == nil)
    }

    /// kombu emulates acknowledgements on Redis: a worker that stops with a message it has not
    /// acknowledged (here an ETA task it holds) pushes it back to the queues that the message's
    /// `delivery_info` exchange and routing key lead to. For a named exchange, that must be the
    /// bound queue again, as it is for a message Python sent.
    @Test("On Redis, a message a stopping worker restores goes back to the queue its named exchange routes to",
        arguments: InteropTarget.on(.redis))
    func restoredToBoundQueue(target: InteropTarget) async throws {
        let url = try await InteropFixtures.shared.brokerURL(for: target)
        let queue = AMQPTestServer.uniqueName("restored")
        let exchange = queue + ".exchange"
        let routingKey = queue + ".key"
        let id = try await CeleryWorker.with(
            venv: target.venv, brokerURL: url, queues: [queue], bindings: [(queue, exchange, routingKey)], name: "restore"
        ) { worker in
            let id = try await send(["--exchange", exchange, "--routing-key", routingKey, "--countdown", "600"], to: url)
            try await worker.process.pollForLog(containing: "Task probe.record[\(id)] received")
            await worker.shutDown()
            #expect(worker.log.contains("Restoring 1 unacknowledged message"))
            return id
        }

        let redis = try RedisConnection(configuration: RedisConfiguration(url: url))
        defer { redis.close() }
        let restored = try redis.send("LRANGE", queue, "0", "-1").array ?? []
        #expect(restored.compactMap(\.bytes).map(envelopeTaskID) == [id], "the message is back in \(queue)")
        #expect(try redis.send("EXISTS", routingKey).integer == 0, "nothing was pushed to a list named after the routing key")
    }

    /// kombu's Redis transport keeps one list per priority step (0, 3, 6, 9 by default), named
    /// `queue\x06\x16step` (step 0 is the queue itself), and pops them in that order: on Redis
    /// a lower number runs first.
    @Test("On Redis, each priority lands in kombu's list for its step, and the worker pops 0 first",
        arguments: InteropTarget.on(.redis))
    func redisPriorityLists(target: InteropTarget) async throws {
        let url = try await InteropFixtures.shared.brokerURL(for: target)
        let queue = AMQPTestServer.uniqueName("priority")
        let priorities = [9, 0, 4, 6, 2]  // steps 9, 0, 3, 6, 0
        var ids: [Int: String] = [:]
        for priority in priorities {
            ids[priority] = try await send(["--queue", queue, "--priority", String(priority)], to: url)
        }

        // No worker consumes this queue yet: read the lists kombu would pop.
        let redis = try RedisConnection(configuration: RedisConfiguration(url: url))
        defer { redis.close() }
        func list(_ name: String) throws -> [String] {
            (try redis.send("LRANGE", name, "0", "-1").array ?? []).compactMap(\.bytes).map(envelopeTaskID)
        }
        let separator = "\u{06}\u{16}"
        #expect(try list(queue) == [ids[2]!, ids[0]!], "LPUSH: the newest first")
        #expect(try list(queue + separator + "3") == [ids[4]!])
        #expect(try list(queue + separator + "6") == [ids[6]!])
        #expect(try list(queue + separator + "9") == [ids[9]!])
        let keys = (try redis.send("KEYS", queue + "*").array ?? []).compactMap(\.string).sorted()
        #expect(keys == [queue, queue + separator + "3", queue + separator + "6", queue + separator + "9"])

        let records = try await CeleryWorker.with(venv: target.venv, brokerURL: url, queues: [queue], name: "priority") {
            try await $0.pollForRecords(count: priorities.count)
        }
        #expect(records.compactMap { $0["id"]?.stringValue } == [0, 2, 4, 6, 9].map { ids[$0]! })
        #expect(records.map { $0["priority"] } == [0, 2, 4, 6, 9].map { JSONValue.integer($0) })
    }

    /// On RabbitMQ the priority is the message's `priority` property, which orders delivery in a
    /// queue declared with `x-max-priority`: a higher number first.
    @Test("On RabbitMQ, the priority property orders delivery from an x-max-priority queue, highest first",
        arguments: InteropTarget.on(.rabbitmq))
    func rabbitmqPriorityQueue(target: InteropTarget) async throws {
        let url = try await InteropFixtures.shared.brokerURL(for: target)
        let queue = AMQPTestServer.uniqueName("priority")
        // The queue the worker would declare with task_queue_max_priority = 10, made before any
        // message is sent so that they wait in it; swiftbeat must not redeclare it differently.
        try await target.venv.runScript("declare_queue.py", [url, queue, "10"])
        let priorities = [0, 9, 4, 7]
        var ids: [Int: String] = [:]
        for priority in priorities {
            ids[priority] = try await send(["--queue", queue, "--priority", String(priority)], to: url)
        }

        let records = try await CeleryWorker.with(
            venv: target.venv, brokerURL: url, queues: [queue], name: "priority", environment: ["PROBE_QUEUE_MAX_PRIORITY": "10"]
        ) { try await $0.pollForRecords(count: priorities.count) }
        #expect(records.compactMap { $0["id"]?.stringValue } == [9, 7, 4, 0].map { ids[$0]! })
        #expect(records.map { $0["priority"] } == [9, 7, 4, 0].map { JSONValue.integer($0) })
    }
}

/// The task id in a kombu Redis envelope (`headers.id`), or "?" when it is not one.
func envelopeTaskID(_ bytes: [UInt8]) -> String {
    (try? JSONParser.parse(bytes))?.objectValue?["headers"]?.objectValue?["id"]?.stringValue ?? "?"
}
