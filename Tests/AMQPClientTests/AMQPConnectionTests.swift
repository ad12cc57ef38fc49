import AMQPClient
import Glibc
import Testing
import TestSupport

/// Against the private RabbitMQ of `scripts/rabbitmq` (see `AMQPTestServer`).
@Suite("AMQPConnection against a real RabbitMQ", .enabled(if: AMQPTestServer.isAvailable))
struct AMQPConnectionTests {
    let server: AMQPTestServer
    let admin: AMQPTestClient

    init() throws {
        server = try AMQPTestServer.required()
        admin = try AMQPTestClient(url: server.url)
    }

    private func connect(_ url: String? = nil, name: String = "swiftbeat-test") throws -> AMQPConnection {
        var configuration = try AMQPConfiguration(url: url ?? server.url)
        configuration.connectionName = name
        return try AMQPConnection(configuration: configuration)
    }

    /// Headers with every field type swiftbeat sends, shaped like Celery's.
    static func headers(_ index: Int) -> AMQPFieldTable {
        [
            "lang": "py", "task": "tasks.add", "id": .string("task-\(index)"), "shadow": .null,
            "retries": 0, "timelimit": [.null, .null], "negative": .int64(-1 - Int64(index)),
            "big": .int64(1 << 40 + Int64(index)), "ratio": 0.25, "ignore_result": false, "flag": true,
            "kwargsrepr": "{'z': 'ü€😀'}", "stamps": [:], "nested": ["list": [1, ["deep": "x"], .null], "n": .null],
        ]
    }

    @Test("A batch of 1,000 confirmed messages reads back in order with properties and headers of every type intact")
    func publishBatchAndReadBack() throws {
        let queue = AMQPTestServer.uniqueName("batch")
        defer { admin.deleteQueue(queue) }
        let connection = try connect()
        try connection.ensureQueue(queue)
        let batch = (0..<1000).map { index in
            AMQPOutgoingMessage(
                routingKey: queue, body: Array("[[\(index)], {}, {}]".utf8),
                properties: AMQPProperties(
                    contentType: "application/json", contentEncoding: "utf-8", correlationID: "task-\(index)",
                    replyTo: "reply-\(index)", deliveryMode: .persistent, priority: 0, expiration: "600000",
                    headers: Self.headers(index)))
        }
        try connection.publish(batch)
        #expect(try admin.messageCount(queue) == 1000)

        for index in 0..<1000 {
            let message = try #require(try admin.get(queue), "message \(index) missing")
            #expect(message.body == batch[index].body)
            #expect(message.exchange == "" && message.routingKey == queue)
            #expect(message.contentType == "application/json")
            #expect(message.contentEncoding == "utf-8")
            #expect(message.correlationID == "task-\(index)")
            #expect(message.replyTo == "reply-\(index)")
            #expect(message.deliveryMode == 2)
            #expect(message.priority == 0)
            #expect(message.expiration == "600000")
            #expect(message.headers == Self.headers(index))
            if index == 0 {
                let tags: [String: Character] = [
                    "lang": "S", "retries": "I", "negative": "L", "big": "L", "ratio": "d", "flag": "t",
                    "shadow": "V", "timelimit": "A", "stamps": "F", "nested": "F",
                ]
                for (key, tag) in tags { #expect(message.headerTags[key] == tag, "header \(key)") }
            }
        }
        #expect(try admin.get(queue) == nil)
    }

    @Test("An unroutable message is an error naming exchange, routing key and NO_ROUTE; the others arrive")
    func unroutable() throws {
        let queue = AMQPTestServer.uniqueName("routable")
        let missing = AMQPTestServer.uniqueName("nosuchqueue")
        defer { admin.deleteQueue(queue) }
        let connection = try connect()
        try connection.ensureQueue(queue)
        let batch = [queue, missing, queue].map { AMQPOutgoingMessage(routingKey: $0, body: Array($0.utf8)) }

        let error = try #require(throws: AMQPClientError.self) { try connection.publish(batch) }
        #expect(error.kind == .publishRejected)
        #expect(error.replyCode == 312)
        #expect(error.description.hasPrefix("cannot publish to exchange \"\" with routing key \"\(missing)\": NO_ROUTE (312)"))
        #expect(error.description.contains("1 of 3 messages not confirmed: #1 (returned NO_ROUTE)"), "\(error)")
        #expect(error.failedMessages == [
            AMQPPublishFailure(index: 1, exchange: "", routingKey: missing, reason: .returned(replyCode: 312, replyText: "NO_ROUTE"))
        ])
        #expect(try admin.messageCount(queue) == 2)

        // The connection and its channel stay usable.
        try connection.publish([batch[0]])
        #expect(try admin.messageCount(queue) == 3)
    }

    @Test("Batches sent before any confirm is awaited are all confirmed, claimed in any order, and arrive in order")
    func batchesInFlight() throws {
        let queue = AMQPTestServer.uniqueName("inflight")
        defer { admin.deleteQueue(queue) }
        let connection = try connect()
        try connection.ensureQueue(queue)
        let batches = (0..<3).map { batch in
            (0..<400).map { index in AMQPOutgoingMessage(routingKey: queue, body: Array("\(batch)-\(index)".utf8)) }
        }
        let tickets = batches.map(connection.send)
        try connection.awaitConfirms(tickets[2])
        try connection.awaitConfirms(tickets[0])
        try connection.awaitConfirms(tickets[1])
        #expect(throws: AMQPClientError.self) { try connection.awaitConfirms(tickets[1]) }
        #expect(try admin.messageCount(queue) == 1200)
        for expected in batches.joined() {
            #expect(try admin.get(queue)?.body == expected.body)
        }
    }

    @Test("An unroutable message fails only the batch in flight that holds it")
    func unroutableInFlight() throws {
        let queue = AMQPTestServer.uniqueName("routable")
        let missing = AMQPTestServer.uniqueName("nosuchqueue")
        defer { admin.deleteQueue(queue) }
        let connection = try connect()
        try connection.ensureQueue(queue)
        let first = connection.send([AMQPOutgoingMessage(routingKey: queue, body: [1])])
        let second = connection.send([queue, missing].map { AMQPOutgoingMessage(routingKey: $0, body: [2]) })
        let third = connection.send([AMQPOutgoingMessage(routingKey: queue, body: [3])])
        try connection.awaitConfirms(first)
        let error = try #require(throws: AMQPClientError.self) { try connection.awaitConfirms(second) }
        #expect(error.kind == .publishRejected)
        #expect(error.failedMessages.map(\.index) == [1])
        try connection.awaitConfirms(third)
        #expect(try admin.messageCount(queue) == 3)
    }

    @Test("A missing exchange closes the channel: its batch fails, a batch written on the closed channel fails whole, one written after the reopen is confirmed, and the next publish works")
    func missingExchangeInFlight() throws {
        let queue = AMQPTestServer.uniqueName("afterclose")
        let missingExchange = AMQPTestServer.uniqueName("noexchange")
        defer { admin.deleteQueue(queue) }
        let connection = try connect()
        try connection.ensureQueue(queue)
        let doomed = connection.send([AMQPOutgoingMessage(exchange: missingExchange, routingKey: "x", body: [1])])
        let following = connection.send((0..<1000).map { _ in AMQPOutgoingMessage(routingKey: queue, body: [2]) })
        let error = try #require(throws: AMQPClientError.self) { try connection.awaitConfirms(doomed) }
        #expect(error.kind == .channelClosed)
        #expect(error.replyCode == 404)
        // Which of the two happens depends on when the broker's channel.close arrives: before the
        // second send starts (the channel is reopened first, and the batch is confirmed) or after
        // (the batch goes to the closed channel and fails as a whole, nothing of it queued).
        var queuedFromFollowing = 1000
        do {
            try connection.awaitConfirms(following)
        } catch {
            #expect(error.kind == .channelClosed)
            #expect(error.failedMessages.count == 1000)
            #expect(error.failedMessages.allSatisfy { $0.reason == .unconfirmed || $0.reason == .notSent })
            queuedFromFollowing = 0
        }
        #expect(try admin.messageCount(queue) == queuedFromFollowing)

        try connection.publish([AMQPOutgoingMessage(routingKey: queue, body: [3])])
        #expect(try admin.messageCount(queue) == queuedFromFollowing + 1)
        for _ in 0..<queuedFromFollowing { #expect(try admin.get(queue)?.body == [2]) }
        #expect(try admin.get(queue)?.body == [3])
    }

    @Test("ensureQueue creates a missing queue durable, without arguments, as Celery's default config declares it")
    func ensureQueueCreates() throws {
        let queue = AMQPTestServer.uniqueName("created")
        defer { admin.deleteQueue(queue) }
        let connection = try connect()
        try connection.ensureQueue(queue)
        try connection.ensureQueue(queue)  // cached, no second declare
        // A worker's declaration (durable, no arguments) is equivalent: RabbitMQ would answer 406 otherwise.
        try admin.declareQueue(queue, durable: true)
        // And a different one is not, which shows the queue really is durable.
        let error = try #require(throws: TestClientError.self) { try admin.declareQueue(queue, durable: false) }
        #expect(error.replyCode == 406)
        try connection.publish([AMQPOutgoingMessage(routingKey: queue, body: [1])])
        #expect(try admin.messageCount(queue) == 1)
    }

    @Test("ensureQueue accepts a queue a worker declared with x-max-priority, without a 406 and without changing it")
    func ensureQueueKeepsWorkerArguments() throws {
        let queue = AMQPTestServer.uniqueName("priority")
        defer { admin.deleteQueue(queue) }
        let workerArguments: AMQPFieldTable = ["x-max-priority": 10]
        try admin.declareQueue(queue, durable: true, arguments: workerArguments)
        let connection = try connect()
        try connection.ensureQueue(queue)
        // Unchanged: the worker's declaration still matches exactly.
        try admin.declareQueue(queue, durable: true, arguments: workerArguments)

        // Priorities work on it: the higher one is delivered first.
        let low = AMQPOutgoingMessage(routingKey: queue, body: Array("low".utf8), properties: AMQPProperties(priority: 1))
        let high = AMQPOutgoingMessage(routingKey: queue, body: Array("high".utf8), properties: AMQPProperties(priority: 9))
        try connection.publish([low, high])
        let first = try #require(try admin.get(queue))
        #expect(first.body == Array("high".utf8))
        #expect(first.priority == 9)
        #expect(try admin.get(queue)?.priority == 1)
    }

    @Test("A named exchange routes by routing key; an unbound key and a missing exchange are errors")
    func namedExchange() throws {
        let exchange = AMQPTestServer.uniqueName("exchange")
        let queue = AMQPTestServer.uniqueName("bound")
        defer { admin.deleteQueue(queue) }
        try admin.declareExchange(exchange)
        try admin.declareQueue(queue)
        try admin.bindQueue(queue, to: exchange, routingKey: "reports")
        let connection = try connect()

        try connection.publish([AMQPOutgoingMessage(exchange: exchange, routingKey: "reports", body: [42])])
        let message = try #require(try admin.get(queue))
        #expect(message.exchange == exchange && message.routingKey == "reports" && message.body == [42])

        let unbound = try #require(throws: AMQPClientError.self) {
            try connection.publish([AMQPOutgoingMessage(exchange: exchange, routingKey: "other", body: [1])])
        }
        #expect(unbound.description.hasPrefix("cannot publish to exchange \"\(exchange)\" with routing key \"other\": NO_ROUTE (312)"))

        let missingExchange = AMQPTestServer.uniqueName("nosuchexchange")
        let closed = try #require(throws: AMQPClientError.self) {
            try connection.publish([AMQPOutgoingMessage(exchange: missingExchange, routingKey: "reports", body: [1])])
        }
        #expect(closed.kind == .channelClosed)
        #expect(closed.replyCode == 404)
        #expect(closed.description.contains("cannot publish to exchange \"\(missingExchange)\" with routing key \"reports\": NOT_FOUND (404)"), "\(closed)")
        #expect(closed.failedMessages.map(\.reason) == [.unconfirmed])

        // The next call reopens the channel.
        try connection.publish([AMQPOutgoingMessage(exchange: exchange, routingKey: "reports", body: [43])])
        #expect(try admin.get(queue)?.body == [43])
    }

    @Test("A failover list whose first broker is down connects to the second")
    func failover() throws {
        let deadPort = try SilentListener.refusedPort()
        let connection = try connect("amqp://guest:guest@127.0.0.1:\(deadPort)//;\(server.url)")
        let live = try AMQPEndpoint(url: server.url)
        #expect(connection.connectedEndpoint?.port == live.port)
        #expect(connection.isConnected)
    }

    @Test("A refused connection says so, with host and port")
    func connectionRefused() throws {
        let deadPort = try SilentListener.refusedPort()
        let error = try #require(throws: AMQPClientError.self) { try connect("amqp://guest:guest@127.0.0.1:\(deadPort)//") }
        #expect(error.kind == .connectionFailed)
        #expect(error.description == "cannot connect to amqp 127.0.0.1:\(deadPort): connection refused")
    }

    @Test("A broker that accepts TCP but never speaks fails the handshake within connect_timeout")
    func silentBroker() throws {
        let silent = try SilentListener()
        let started = ContinuousClock.now
        let error = try #require(throws: AMQPClientError.self) {
            try connect("amqp://guest:guest@127.0.0.1:\(silent.port)//?connect_timeout=1")
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(error.kind == .connectionFailed)
        #expect(error.description.contains("no answer within 1 s"), "\(error)")
    }

    @Test("A wrong password is refused with a clear error that does not contain it")
    func wrongPassword() throws {
        let live = try AMQPEndpoint(url: server.url)
        let error = try #require(throws: AMQPClientError.self) {
            try connect("amqp://guest:wrong-Pa55word@127.0.0.1:\(live.port)//")
        }
        #expect(error.kind == .loginRefused)
        #expect(error.replyCode == 403)
        #expect(error.description.hasPrefix(
            "login refused by amqp 127.0.0.1:\(live.port) vhost \"/\" for user \"guest\": ACCESS_REFUSED (403)"), "\(error)")
        #expect(!error.description.contains("wrong-Pa55word"))
    }

    @Test("A missing vhost is refused with NOT_ALLOWED")
    func missingVirtualHost() throws {
        let live = try AMQPEndpoint(url: server.url)
        let error = try #require(throws: AMQPClientError.self) {
            try connect("amqp://guest:guest@127.0.0.1:\(live.port)/no-such-vhost")
        }
        #expect(error.kind == .loginRefused)
        #expect(error.replyCode == 530)
        #expect(error.description.contains("vhost \"no-such-vhost\""), "\(error)")
    }

    @Test("After the broker closes the connection, serviceHeartbeats throws and the next publish reconnects")
    func reconnect() throws {
        let queue = AMQPTestServer.uniqueName("reconnect")
        let name = AMQPTestServer.uniqueName("connection")
        defer { admin.deleteQueue(queue) }
        let connection = try connect(name: name)
        try connection.ensureQueue(queue)
        try connection.publish([AMQPOutgoingMessage(routingKey: queue, body: [1])])

        #expect(try server.closeConnections(named: name) == 1)
        // The close frame is on its way; wait (bounded) until the idle connection notices it.
        let deadline = ContinuousClock.now + .seconds(30)
        var failure: AMQPClientError?
        while failure == nil && ContinuousClock.now < deadline {
            do { try connection.serviceHeartbeats() } catch { failure = error }
        }
        let error = try #require(failure)
        #expect(error.kind == .connectionLost)
        #expect(error.replyCode == 320)
        #expect(error.description.contains("CONNECTION_FORCED (320)"), "\(error)")
        #expect(!connection.isConnected)

        try connection.ensureQueue(queue)
        try connection.publish([AMQPOutgoingMessage(routingKey: queue, body: [2])])
        #expect(connection.isConnected)
        #expect(try admin.messageCount(queue) == 2)
    }

    @Test("After close() the connection refuses to work instead of reconnecting")
    func closeIsFinal() throws {
        let connection = try connect()
        connection.close()
        let error = try #require(throws: AMQPClientError.self) {
            try connection.publish([AMQPOutgoingMessage(routingKey: "x", body: [])])
        }
        #expect(error.kind == .closed)
        #expect(error.failedMessages.map(\.reason) == [.notSent])
        try connection.serviceHeartbeats()  // nothing to do
    }

    @Test("A message that cannot be encoded fails the batch before anything is sent")
    func invalidMessage() throws {
        let connection = try connect()
        let longKey = String(repeating: "k", count: 300)
        let batch = [
            AMQPOutgoingMessage(routingKey: "a", body: []),
            AMQPOutgoingMessage(routingKey: "b", body: [], properties: AMQPProperties(headers: [longKey: 1])),
        ]
        let error = try #require(throws: AMQPClientError.self) { try connection.publish(batch) }
        #expect(error.kind == .invalidMessage)
        #expect(error.description.hasPrefix("cannot publish message #1 to exchange \"\" with routing key \"b\""), "\(error)")
        #expect(error.failedMessages.map(\.reason) == [.notSent, .notSent])
        #expect(connection.isConnected)
    }
}

@Suite("Heartbeats keep an idle connection and detect a dead one", .enabled(if: AMQPTestServer.isAvailable))
final class AMQPHeartbeatTests {
    /// The broker behind a proxy that can make it stop reading (`broker.proxy`), the queue ensured.
    let broker: ProxiedBroker
    var admin: AMQPTestClient { broker.admin }
    var queue: String { broker.queue }
    var proxy: FreezableProxy { broker.proxy }
    var connection: AMQPConnection { broker.connection }

    init() throws {
        broker = try ProxiedBroker(queue: AMQPTestServer.uniqueName("heartbeat"), query: "?heartbeat=1")
    }

    /// Synchronous on purpose: the broker drops a connection that is silent for 2 s, and an async
    /// test that sleeps with `Task.sleep` only resumes when a cooperative thread is free. With one
    /// per core, two other tests blocking theirs for 2 s (connect timeouts, suspended servers) were
    /// enough to kill the connection this test keeps alive, so it failed on a busy machine.
    @Test("With heartbeat=1 an idle connection survives while serviced, and a silent broker is detected")
    func heartbeats() throws {

        // Idle for longer than the broker tolerates without heartbeats (two 1 s intervals): serviced
        // every 100 ms, the connection stays up. (This wait is the behaviour under test.)
        let idleUntil = ContinuousClock.now + .milliseconds(3500)
        while ContinuousClock.now < idleUntil {
            try connection.serviceHeartbeats()
            usleep(100_000)  // pacing, as an idle beat would
        }
        try connection.publish([AMQPOutgoingMessage(routingKey: queue, body: [1])])

        // The broker goes silent without closing TCP: detected within about two intervals.
        proxy.freeze(true)
        let frozenAt = ContinuousClock.now
        var failure: AMQPClientError?
        while failure == nil && ContinuousClock.now - frozenAt < .seconds(20) {
            do { try connection.serviceHeartbeats() } catch { failure = error }
            usleep(50_000)
        }
        let error = try #require(failure)
        #expect(ContinuousClock.now - frozenAt < .seconds(6))
        #expect(error.kind == .connectionLost)
        #expect(error.description.contains("no heartbeat from the broker for 2 s"), "\(error)")
        #expect(!connection.isConnected)

        // The broker is back: the next publish reconnects.
        proxy.freeze(false)
        try connection.publish([AMQPOutgoingMessage(routingKey: queue, body: [2])])
        #expect(try admin.messageCount(queue) == 2)
    }

    @Test("A broker that goes silent with batches in flight: each batch reports its messages unconfirmed")
    func silentWithBatchesInFlight() throws {
        proxy.freeze(true)
        usleep(300_000)  // each forwarding thread sees the freeze within one 100 ms poll
        let first = connection.send([AMQPOutgoingMessage(routingKey: queue, body: [1])])
        let second = connection.send([1, 2].map { AMQPOutgoingMessage(routingKey: queue, body: [$0]) })
        let firstError = try #require(throws: AMQPClientError.self) { try connection.awaitConfirms(first) }
        #expect(firstError.kind == .connectionLost)
        #expect(firstError.description.contains("no heartbeat from the broker"), "\(firstError)")
        #expect(firstError.failedMessages.map(\.reason) == [.unconfirmed])
        let secondError = try #require(throws: AMQPClientError.self) { try connection.awaitConfirms(second) }
        #expect(secondError.kind == .connectionLost)
        #expect(secondError.failedMessages.map(\.reason) == [.unconfirmed, .unconfirmed])
        #expect(!connection.isConnected)
    }
}
