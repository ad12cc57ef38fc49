import Glibc
import RedisClient
import Testing
import TestSupport

@Suite("Pub/sub: subscribe, poll the socket, read pushed messages without blocking", .timeLimit(.minutes(1)))
struct RedisPubSubTests {
    /// Waits for the socket like an event loop would, then takes what has arrived.
    private func pollAndRead(_ subscriber: RedisConnection, timeout: Duration = .seconds(10)) throws -> [RedisPubSubEvent] {
        var descriptor = pollfd(fd: try #require(subscriber.fileDescriptor), events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000)
        #expect(poll(&descriptor, 1, milliseconds) == 1, "the socket became readable")
        return try subscriber.readAvailableReplies().compactMap(RedisPubSubEvent.init)
    }

    /// Reads until `count` events have arrived (they may come in several reads).
    private func readEvents(_ subscriber: RedisConnection, count: Int) throws -> [RedisPubSubEvent] {
        var events: [RedisPubSubEvent] = []
        let arrived = try RedisServer.waitUntil(timeout: .seconds(20)) {
            events += try subscriber.readReplies(timeout: .seconds(1)).compactMap(RedisPubSubEvent.init)
            return events.count >= count
        }
        #expect(arrived, "\(events.count) of \(count) events arrived")
        return events
    }

    @Test("a published message is read after poll() says the socket is readable")
    func publishAndPoll() throws {
        try RedisServer.with { server in
            let subscriber = try connect(server)
            let publisher = try connect(server)
            try subscriber.subscribe(channels: ["beat:changes"], patterns: ["beat:entry:*"])
            #expect(
                try readEvents(subscriber, count: 2)
                    == [.subscribed(channelOrPattern: "beat:changes", count: 1), .subscribed(channelOrPattern: "beat:entry:*", count: 2)])

            let (nothing, duration) = try elapsed { try subscriber.readAvailableReplies() }
            #expect(nothing == [])
            #expect(duration < .milliseconds(500), "a read with nothing to read returns at once")

            let payload: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF]
            #expect(try publisher.send("PUBLISH", "beat:changes", payload) == .integer(1))
            #expect(try pollAndRead(subscriber) == [.message(channel: "beat:changes", pattern: nil, payload: payload)])

            #expect(try publisher.send("PUBLISH", "beat:entry:nightly", "changed") == .integer(1))
            #expect(
                try pollAndRead(subscriber)
                    == [.message(channel: "beat:entry:nightly", pattern: "beat:entry:*", payload: Array("changed".utf8))])
        }
    }

    @Test("readReplies(timeout:) returns nothing when nothing is published")
    func readTimeout() throws {
        try RedisServer.with { server in
            let subscriber = try connect(server)
            try subscriber.subscribe(channels: ["quiet"])
            #expect(try readEvents(subscriber, count: 1) == [.subscribed(channelOrPattern: "quiet", count: 1)])
            let (replies, duration) = try elapsed { try subscriber.readReplies(timeout: .milliseconds(200)) }
            #expect(replies == [])
            #expect(duration >= .milliseconds(150) && duration < .seconds(3))
        }
    }

    @Test("thousands of messages larger than one read all arrive, in order")
    func manyMessages() throws {
        try RedisServer.with { server in
            let subscriber = try connect(server)
            let publisher = try connect(server)
            try subscriber.subscribe(channels: ["bulk"])
            _ = try readEvents(subscriber, count: 1)
            var pipeline = RedisPipeline()
            let body = [UInt8](repeating: 0x61, count: 1_000)
            for index in 0..<3_000 { pipeline.append("PUBLISH", "bulk", Array("\(index):".utf8) + body) }
            #expect(try publisher.pipeline(pipeline).allSatisfy { $0 == .integer(1) })
            let events = try readEvents(subscriber, count: 3_000)
            #expect(events == (0..<3_000).map { .message(channel: "bulk", pattern: nil, payload: Array("\($0):".utf8) + body) })
        }
    }

    @Test("a subscribed connection refuses ordinary commands")
    func subscribedRefusesCommands() throws {
        try RedisServer.with { server in
            let subscriber = try connect(server)
            try subscriber.subscribe(channels: ["c"])
            let error = #expect(throws: RedisClientError.self) { try subscriber.send("GET", "k") }
            #expect(error?.kind == .misuse)
            #expect(
                error?.description
                    == "cannot send GET on a connection to redis 127.0.0.1:\(server.port) that is subscribed; "
                    + "send commands on a separate connection")
        }
    }

    @Test("after a restart the read fails, subscribe reconnects, and messages flow again")
    func resubscribeAfterRestart() throws {
        try RedisServer.with { server in
            let subscriber = try connect(server)
            try subscriber.subscribe(channels: ["beat:changes"])
            _ = try readEvents(subscriber, count: 1)

            try server.restart()
            let error = #expect(throws: RedisClientError.self) { _ = try pollAndRead(subscriber) }
            #expect(error?.kind == .connectionClosed)
            #expect(subscriber.fileDescriptor == nil)
            let notConnected = #expect(throws: RedisClientError.self) { try subscriber.readAvailableReplies() }
            #expect(notConnected?.kind == .notConnected)

            try subscriber.subscribe(channels: ["beat:changes"])
            #expect(subscriber.connectionCount == 2)
            #expect(subscriber.fileDescriptor != nil)
            #expect(try readEvents(subscriber, count: 1) == [.subscribed(channelOrPattern: "beat:changes", count: 1)])
            #expect(try connect(server).send("PUBLISH", "beat:changes", "again") == .integer(1))
            #expect(try pollAndRead(subscriber) == [.message(channel: "beat:changes", pattern: nil, payload: Array("again".utf8))])
        }
    }
}
