import Glibc
import RedisClient
import Testing
import TestSupport

@Suite("RedisConnection against a real redis-server", .timeLimit(.minutes(1)))
struct RedisConnectionTests {
    @Test("SET and GET keep binary keys and values byte for byte")
    func binaryValues() throws {
        try RedisServer.with { server in
            let redis = try connect(server)
            let key: [UInt8] = [0x6B, 0x00, 0x0D, 0x0A, 0xFF]
            let value = (0...255).map(UInt8.init) + Array("\r\n$3\r\n*1\r\n".utf8)
            let large = [UInt8](repeating: 0xAB, count: 3_000_000)
            #expect(try redis.send("SET", key, value).isOK)
            #expect(try redis.send("GET", key) == .bulk(value))
            #expect(try redis.send("SET", "large", large).isOK)
            #expect(try redis.send("GET", "large") == .bulk(large))
            #expect(try redis.send("STRLEN", key) == .integer(Int64(value.count)))
        }
    }

    @Test("a pipeline of 10,000 commands returns 10,000 replies in order")
    func largePipeline() throws {
        try RedisServer.with { server in
            let redis = try connect(server)
            var pipeline = RedisPipeline()
            for index in 0..<10_000 { pipeline.append("RPUSH", "list", "item-\(index)") }
            let replies = try redis.pipeline(pipeline)
            #expect(replies == (1...10_000).map { RedisReply.integer(Int64($0)) })

            let items = try redis.send("LRANGE", "list", 0, -1).array ?? []
            #expect(items == (0..<10_000).map { bulk("item-\($0)") })
            #expect(try redis.pipeline(RedisPipeline()) == [])
        }
    }

    @Test("replies keep their types, and an error stays in its pipeline slot")
    func typedReplies() throws {
        try RedisServer.with { server in
            let redis = try connect(server)
            var pipeline = RedisPipeline()
            pipeline.append("SET", "text", "not a number")
            pipeline.append("INCR", "text")
            pipeline.append("INCR", "counter")
            pipeline.append("GET", "missing")
            pipeline.append("PING")
            pipeline.append("EVAL", "return {1, {2, 'x', {}}, redis.status_reply('FINE'), false, 'after'}", 0)
            pipeline.append("NOSUCHCOMMAND")
            pipeline.append("GET", "counter")
            let replies = try redis.pipeline(pipeline)
            #expect(replies.count == 8)
            #expect(replies[0] == .status("OK"))
            #expect(replies[1] == .error("ERR value is not an integer or out of range"))
            #expect(replies[2] == .integer(1))
            #expect(replies[3] == .null)
            #expect(replies[4] == .status("PONG"))
            #expect(replies[5] == .array([.integer(1), .array([.integer(2), bulk("x"), .array([])]), .status("FINE"), .null, bulk("after")]))
            #expect(replies[6].errorMessage?.hasPrefix("ERR unknown command") == true)
            #expect(replies[7] == bulk("1"))
            #expect(redis.connectionCount == 1)
        }
    }

    @Test("AUTH with the default user's password, and the NOAUTH error without it")
    func passwordAuth() throws {
        try RedisServer.with(RedisServerOptions(password: "pa:ss@w/rd")) { server in
            let redis = try connect(server, userinfo: ":pa%3Ass%40w%2Frd@")
            #expect(try redis.send("PING") == .status("PONG"))
            let anonymous = try connect(server)
            #expect(try anonymous.send("PING").errorMessage?.hasPrefix("NOAUTH") == true)
        }
    }

    @Test("AUTH as an ACL user")
    func aclUserAuth() throws {
        try RedisServer.with(RedisServerOptions(aclUser: .init(name: "beat", password: "s3cret"))) { server in
            let redis = try connect(server, userinfo: "beat:s3cret@")
            #expect(try redis.send("ACL", "WHOAMI") == bulk("beat"))
        }
    }

    @Test("a wrong password fails to connect with the server's reason and without the password")
    func wrongPassword() throws {
        try RedisServer.with(RedisServerOptions(password: "right", aclUser: .init(name: "beat", password: "s3cret"))) { server in
            let defaultUser = #expect(throws: RedisClientError.self) { try connect(server, userinfo: ":wrong-one@") }
            #expect(defaultUser?.kind == .authenticationFailed)
            #expect(defaultUser?.description.hasPrefix("AUTH failed on redis 127.0.0.1:\(server.port): WRONGPASS") == true)
            #expect(defaultUser?.description.contains("wrong-one") == false)

            let aclUser = #expect(throws: RedisClientError.self) { try connect(server, userinfo: "beat:wrong-one@", database: 3) }
            #expect(aclUser?.kind == .authenticationFailed)
            #expect(aclUser?.description.hasPrefix("AUTH failed for user \"beat\" on redis 127.0.0.1:\(server.port): WRONGPASS") == true)
            #expect(aclUser?.commandsMayHaveRun == false)
        }
    }

    @Test("each connection works in its own database, and a bad database fails to connect")
    func databases() throws {
        try RedisServer.with { server in
            let first = try connect(server, database: 1)
            let second = try connect(server, database: 2)
            #expect(try first.send("SET", "key", "one").isOK)
            #expect(try second.send("GET", "key") == .null)
            #expect(try second.send("SET", "key", "two").isOK)
            #expect(try first.send("GET", "key") == bulk("one"))
            #expect(try connect(server).send("DBSIZE") == .integer(0))

            let error = #expect(throws: RedisClientError.self) { try connect(server, database: 99) }
            #expect(error?.kind == .selectFailed)
            #expect(error?.description == "SELECT 99 failed on redis 127.0.0.1:\(server.port): ERR DB index is out of range")
        }
    }

    @Test("a unix socket URL with a database and a password")
    func unixSocket() throws {
        try RedisServer.with(RedisServerOptions(password: "pw", unixSocket: true)) { server in
            let path = try #require(server.unixSocketPath)
            let redis = try RedisConnection(configuration: RedisConfiguration(url: "unix://\(path)?db=3&password=pw"))
            #expect(try redis.send("SET", "over", "socket").isOK)
            #expect(try redis.send("CLIENT", "INFO").string?.contains("laddr=\(path)") == true)
            #expect(try connect(server, userinfo: ":pw@", database: 3).send("GET", "over") == bulk("socket"))
        }
    }

    @Test("an IPv6 URL reaches the server over [::1]", .enabled(if: ipv6LoopbackAvailable()))
    func ipv6() throws {
        try RedisServer.with(RedisServerOptions(ipv6Loopback: true)) { server in
            let redis = try RedisConnection(configuration: RedisConfiguration(url: "redis://[::1]:\(server.port)/4"))
            #expect(try redis.send("CLIENT", "INFO").string?.contains("laddr=[::1]:\(server.port) ") == true)
            #expect(try redis.send("CLIENT", "INFO").string?.contains(" db=4 ") == true)
        }
    }

    @Test("after close(), calls throw instead of reconnecting")
    func closeIsFinal() throws {
        try RedisServer.with { server in
            let redis = try connect(server)
            redis.close()
            #expect(!redis.isConnected)
            let error = #expect(throws: RedisClientError.self) { try redis.send("PING") }
            #expect(error?.kind == .notConnected)
            #expect(error?.description == "the connection to redis 127.0.0.1:\(server.port) was closed with close()")
        }
    }
}

/// Some containers have no IPv6 loopback; there the IPv6 test is skipped, not failed.
private func ipv6LoopbackAvailable() -> Bool {
    let descriptor = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    address.sin6_addr = in6addr_loopback
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
        }
    }
}
