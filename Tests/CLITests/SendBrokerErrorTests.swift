import Testing
import TestSupport

/// `swiftbeat send` against brokers that are down, refuse the password, or cannot route the
/// message: one line naming the broker (never its password) and a non-zero exit, 2 when retrying
/// later may help (unreachable), 1 when it will not.
@Suite struct SendBrokerErrorTests {
    @Test("An unreachable Redis exits 2 naming host and port")
    func unreachableRedis() async throws {
        let port = FreePort.loopback()
        try await expectFailure(
            ["send", "probe.record", "--broker-url", unreachableRedisURL(port: port)], exitCode: 2,
            mentions: ["redis", "127.0.0.1:\(port)"])
    }

    @Test("An unreachable RabbitMQ exits 2 naming host and port, for each URL of a failover list")
    func unreachableRabbitMQ() async throws {
        let (first, second) = (FreePort.loopback(), FreePort.loopback())
        try await expectFailure(
            ["send", "probe.record", "--broker-url", unreachableAMQPURL(port: first)], exitCode: 2,
            mentions: ["amqp", "127.0.0.1:\(first)"])
        try await expectFailure(
            ["send", "probe.record", "--broker-url", unreachableAMQPURL(port: first) + ";" + unreachableAMQPURL(port: second)],
            exitCode: 2, mentions: ["127.0.0.1:\(first)", "127.0.0.1:\(second)"])
    }

    @Test("A Redis that wants another password exits 1, as a refused AMQP login does, without the password")
    func redisWrongPassword() async throws {
        let server = try RedisServer.start(RedisServerOptions(password: "the-right-one"))
        defer { server.stop() }
        try await expectFailure(
            ["send", "probe.record", "--broker-url", "redis://:\(password)@127.0.0.1:\(server.port)/0"], exitCode: 1,
            mentions: ["AUTH", "127.0.0.1:\(server.port)"])
        try await expectFailure(
            ["send", "probe.record", "--broker-url", "redis://someone:\(password)@127.0.0.1:\(server.port)/0"], exitCode: 1,
            mentions: ["AUTH", "127.0.0.1:\(server.port)"])
    }

    @Test("A Redis that wants a password and got none exits 1 naming NOAUTH")
    func redisMissingPassword() async throws {
        let server = try RedisServer.start(RedisServerOptions(password: password))
        defer { server.stop() }
        try await expectFailure(
            ["send", "probe.record", "--broker-url", "redis://127.0.0.1:\(server.port)/0"], exitCode: 1, mentions: ["NOAUTH"])
    }

    @Test("On Redis, a named exchange no queue is bound to exits 1 naming exchange and routing key")
    func redisUnboundExchange() async throws {
        let server = try RedisServer.start(RedisServerOptions(password: password))
        defer { server.stop() }
        try await expectFailure(
            ["send", "probe.record", "--exchange", "nowhere", "--routing-key", "nobody",
             "--broker-url", "redis://:\(password)@127.0.0.1:\(server.port)/0"],
            exitCode: 1, mentions: ["\"nowhere\"", "\"nobody\""])
    }
}

/// Against the private RabbitMQ of scripts/rabbitmq, as a user whose password is `password`
/// (created for the suite by `RabbitMQUserScope`), so that every error case carries it.
@Suite(.enabled(if: AMQPTestServer.isAvailable), RabbitMQUserScope())
struct SendRabbitMQErrorTests {
    @Test("A refused RabbitMQ login exits 1 naming ACCESS_REFUSED, without the password")
    func wrongPassword() async throws {
        let wrong = try RabbitMQUserScope.url(userInfo: "guest:\(password)")
        try await expectFailure(["send", "probe.record", "--broker-url", wrong], exitCode: 1, mentions: ["ACCESS_REFUSED", "guest"])
        let encoded = try RabbitMQUserScope.url(userInfo: "guest:s3cr3t%2Fpw%40x")
        try await expectFailure(["send", "probe.record", "--broker-url", encoded], exitCode: 1, mentions: ["ACCESS_REFUSED"])
    }

    @Test("An exchange that does not exist exits 1 naming it and NOT_FOUND")
    func missingExchange() async throws {
        let exchange = AMQPTestServer.uniqueName("missing-exchange")
        try await expectFailure(
            ["send", "probe.record", "--exchange", exchange, "--routing-key", "anything", "--broker-url", try RabbitMQUserScope.url()],
            exitCode: 1, mentions: [exchange, "NOT_FOUND"])
    }

    @Test("A routing key no queue is bound to exits 1 naming it and NO_ROUTE: nothing is silently dropped")
    func unroutable() async throws {
        let key = AMQPTestServer.uniqueName("unbound-key")
        try await expectFailure(
            ["send", "probe.record", "--exchange", "amq.direct", "--routing-key", key, "--broker-url", try RabbitMQUserScope.url()],
            exitCode: 1, mentions: ["amq.direct", key, "NO_ROUTE"])
    }

    @Test("A virtual host that does not exist exits 1 naming it")
    func missingVirtualHost() async throws {
        let vhost = AMQPTestServer.uniqueName("missing-vhost")
        try await expectFailure(
            ["send", "probe.record", "--broker-url", try RabbitMQUserScope.url(virtualHost: vhost)], exitCode: 1, mentions: [vhost])
    }
}

/// Creates a RabbitMQ user with the password `password` and every permission on `/` for the
/// suite, and deletes it afterwards. `RabbitMQUserScope.url()` is the broker's URL as that user.
struct RabbitMQUserScope: SuiteTrait, TestScoping {
    @TaskLocal static var user = ""

    /// The test broker's URL with `userInfo` (by default the suite's user and `password`).
    static func url(userInfo: String? = nil, virtualHost: String = "/") throws -> String {
        try AMQPTestServer.required().url(virtualHost: virtualHost)
            .replacing("guest:guest@", with: (userInfo ?? "\(user):\(password)") + "@")
    }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try AMQPTestServer.required()
        let user = AMQPTestServer.uniqueName("cli-user")
        try await offloaded {
            try server.rabbitmqctl("-q", "add_user", user, password)
            try server.rabbitmqctl("-q", "set_permissions", "-p", "/", user, ".*", ".*", ".*")
        }
        do {
            try await Self.$user.withValue(user) { try await function() }
        } catch {
            _ = try? await offloaded { try server.rabbitmqctl("-q", "delete_user", user) }
            throw error
        }
        _ = try? await offloaded { try server.rabbitmqctl("-q", "delete_user", user) }
    }
}
