import RedisClient
import Testing
import TestSupport

/// sentinel:// against a real master, replica and three sentinels on loopback (`SentinelGroup`).
@Suite("RedisConnection behind Sentinel: discovery, ROLE, and following a failover", .serialized, .timeLimit(.minutes(3)))
struct RedisSentinelTests {
    private func configuration(_ group: SentinelGroup, database: Int = 0, masterName: String? = SentinelGroup.masterName) throws
        -> RedisConfiguration
    {
        var configuration = try RedisConfiguration(url: "\(group.url)/\(database)")
        configuration.sentinel?.masterName = masterName
        configuration.connectTimeout = .seconds(1)
        configuration.commandTimeout = .seconds(2)
        return configuration
    }

    /// Calls `body` until it succeeds, as `run` retries with backoff; the last failure if it never does.
    private func eventually<T>(timeout: Duration = .seconds(60), _ body: () throws -> T) throws -> T {
        var result: T?
        var lastError: (any Error)?
        _ = RedisServer.waitUntil(timeout: timeout) {
            do {
                result = try body()
                return true
            } catch {
                lastError = error
                return false
            }
        }
        if let result { return result }
        throw lastError ?? RedisServerError(description: "no attempt finished")
    }

    @Test("the sentinels name the master, the connection logs in to it, and says which sentinel named it")
    func discovery() throws {
        let group = try SentinelGroup.start()
        defer { group.stop() }
        let redis = try RedisConnection(configuration: try configuration(group, database: 3))
        #expect(redis.endpoint == .tcp(host: "127.0.0.1", port: group.servers[0].port))
        #expect(redis.discoveredBy == .tcp(host: "127.0.0.1", port: group.sentinelPorts[0]))
        #expect(try redis.send("SET", "k", "v").isOK)
        #expect(try redis.send("CLIENT", "INFO").string?.contains(" db=3 ") == true)
        #expect(redis.configuration.redactedURL == group.url + "/3")
    }

    @Test("a master name the sentinels do not know, and sentinels that cannot be reached, fail with one sentence each")
    func badGroup() throws {
        let group = try SentinelGroup.start(replicas: 0)
        defer { group.stop() }
        let unknown = #expect(throws: RedisClientError.self) {
            try RedisConnection(configuration: try configuration(group, masterName: "othermaster"))
        }
        #expect(unknown?.kind == .connectFailed)
        #expect(
            unknown?.description
                == "no sentinel named the master \"othermaster\": "
                + group.sentinelPorts.map { "127.0.0.1:\($0): no master named \"othermaster\"" }.joined(separator: "; "))

        let nobody = try RedisConfiguration(url: "sentinel://127.0.0.1:\(FreePort.loopback())")
        var named = nobody
        named.sentinel?.masterName = "mymaster"
        let unreachable = #expect(throws: RedisClientError.self) { try RedisConnection(configuration: named) }
        #expect(unreachable?.description.hasPrefix("no sentinel named the master \"mymaster\": cannot connect to redis 127.0.0.1:") == true)
        #expect(unreachable?.description.hasSuffix("Connection refused") == true, "\(unreachable?.description ?? "")")

        let nameless = #expect(throws: RedisClientError.self) { try RedisConnection(configuration: nobody) }
        #expect(nameless?.kind == .invalidConfiguration)
    }

    @Test("after kill -9 of the master the connection finds the promoted replica, with what was replicated")
    func followsFailover() throws {
        let group = try SentinelGroup.start()
        defer { group.stop() }
        let redis = try RedisConnection(configuration: try configuration(group))
        let (master, replica) = (group.servers[0], group.servers[1])
        #expect(try redis.send("SET", "before", "failover").isOK)
        #expect(try redis.send("WAIT", 1, 5_000) == .integer(1))
        master.killAbruptly()

        let promoted = try group.waitForSwitch(from: master)
        #expect(promoted.port == replica.port)
        #expect(try eventually { try redis.send("SET", "after", "failover") }.isOK)
        #expect(redis.endpoint == .tcp(host: "127.0.0.1", port: replica.port))
        #expect(try redis.send("GET", "before") == .bulk(Array("failover".utf8)))
    }

    @Test("a failover while the old master still answers moves writes to the new master, with at most one -READONLY")
    func failoverWhileOldMasterAnswers() throws {
        let group = try SentinelGroup.start()
        defer { group.stop() }
        let redis = try RedisConnection(configuration: try configuration(group))
        let (master, replica) = (group.servers[0], group.servers[1])
        #expect(try redis.send("SET", "k", "1").isOK)

        let sentinel = try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(group.sentinelPorts[0])"))
        #expect(try sentinel.send("SENTINEL", "FAILOVER", SentinelGroup.masterName).isOK)
        _ = try group.waitForSwitch(from: master)
        // The demoted master answers writes with -READONLY: the +switch-master announcement, or
        // that one reply, sends the connection back to the sentinels, and the next write lands.
        var readOnlyReplies = 0
        let moved = RedisServer.waitUntil(timeout: .seconds(20)) {
            let reply = try? redis.send("SET", "k", "2")
            if reply?.errorMessage?.hasPrefix("READONLY") == true { readOnlyReplies += 1 }
            return reply?.isOK == true && redis.endpoint == .tcp(host: "127.0.0.1", port: replica.port)
        }
        #expect(moved, "writes reached the promoted replica on \(replica.port); the connection is on \(redis.endpoint)")
        #expect(readOnlyReplies <= 1)
    }

    @Test("sentinels that require a password and TLS are asked with sentinel_kwargs' password and CA")
    func securedSentinels() throws {
        let group = try SentinelGroup.start(replicas: 0, security: SentinelGroup.SentinelSecurity(password: "sentinel-pw", tls: true))
        defer { group.stop() }
        let certificates = try TestCertificates.shared()
        var configuration = try RedisConfiguration(url: group.tlsURL)
        configuration.sentinel?.masterName = SentinelGroup.masterName
        configuration.sentinel?.tls = RedisConfiguration.TLS(caFile: certificates.caFile)
        let refused = #expect(throws: RedisClientError.self) { try RedisConnection(configuration: configuration) }
        #expect(
            refused?.description == "no sentinel named the master \"mymaster\": "
                + group.sentinelTLSPorts.map { "localhost:\($0): NOAUTH Authentication required." }.joined(separator: "; "))

        configuration.sentinel?.password = "sentinel-pw"
        let redis = try RedisConnection(configuration: configuration)
        #expect(redis.endpoint == .tcp(host: "127.0.0.1", port: group.servers[0].port))
        #expect(redis.discoveredBy == .tcp(host: "localhost", port: group.sentinelTLSPorts[0]))
        #expect(try redis.send("PING") == .status("PONG"))
        #expect(refused?.description.contains("sentinel-pw") == false)
    }
}
