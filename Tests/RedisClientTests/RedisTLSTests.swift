import Glibc
import RedisClient
import Testing
import TestSupport

/// rediss:// against real redis-servers listening with TLS (`--tls-port`), whose certificate the
/// test CA signed for localhost and 127.0.0.1 (`TestCertificates`).
@Suite("RedisConnection over TLS: verification, client certificates, and the same calls as over TCP", .timeLimit(.minutes(1)))
struct RedisTLSTests {
    let certificates: TestCertificates

    init() throws { certificates = try TestCertificates.shared() }

    private func connect(_ url: String, commandTimeout: Duration = .seconds(5)) throws -> RedisConnection {
        var configuration = try RedisConfiguration(url: url)
        configuration.commandTimeout = commandTimeout
        return try RedisConnection(configuration: configuration)
    }

    private func failure(_ url: String) -> RedisClientError? {
        #expect(throws: RedisClientError.self) { try connect(url) }
    }

    @Test("with the CA that signed the server's certificate, the connection verifies, pipelines and writes ahead")
    func verifiedPipelines() throws {
        try RedisServer.with(RedisServerOptions(password: "s3cret", tls: true)) { server throws in
            let redis = try connect("rediss://:s3cret@localhost:\(server.tlsPort)/2?ssl_ca_certs=\(certificates.caFile)")
            #expect(try redis.send("CLIENT", "INFO").string?.contains(" db=2 ") == true)

            // 5,000 values of 700 bytes: megabytes each way, many TLS records, partial writes.
            let value = [UInt8](repeating: 0x5A, count: 700)
            var pipeline = RedisPipeline()
            for index in 0..<5_000 { pipeline.append("RPUSH", "list", value + Array("\(index)".utf8)) }
            #expect(try redis.pipeline(pipeline) == (1...5_000).map { RedisReply.integer(Int64($0)) })
            let first = try redis.write(pipeline)
            let second = try redis.write(pipeline)
            #expect(try redis.readReplies(first) == (5_001...10_000).map { RedisReply.integer(Int64($0)) })
            #expect(try redis.readReplies(second).last == .integer(15_000))
            #expect(try redis.send("LINDEX", "list", 14_999) == .bulk(value + Array("4999".utf8)))
        }
    }

    @Test("a server that authenticates clients accepts the CA's client certificate and refuses a client without one")
    func clientCertificate() throws {
        try RedisServer.with(RedisServerOptions(tlsClientsAuthenticate: true)) { server throws in
            let base = "rediss://localhost:\(server.tlsPort)?ssl_ca_certs=\(certificates.caFile)"
            let redis = try connect(base + "&ssl_certfile=\(certificates.clientCertificateFile)&ssl_keyfile=\(certificates.clientKeyFile)")
            #expect(try redis.send("PING") == .status("PONG"))

            let refused = failure(base)
            #expect(refused?.kind == .tlsFailed, "\(refused?.description ?? "")")
            #expect(refused?.description.hasPrefix("cannot connect to redis localhost:\(server.tlsPort): ") == true)
            // The alert ("tlsv13 alert certificate required") when it arrives before the server's reset, else the hint.
            let said = refused?.description ?? ""
            #expect(said.hasSuffix("alert certificate required during PING") || said.hasSuffix("give a client certificate with ssl_certfile and ssl_keyfile"), "\(said)")
        }
    }

    @Test("a CA that did not sign the server's certificate fails verification; ssl_cert_reqs=none connects anyway")
    func wrongCA() throws {
        try RedisServer.with(RedisServerOptions(tls: true)) { server throws in
            let url = "rediss://localhost:\(server.tlsPort)?ssl_ca_certs=\(certificates.otherCAFile)"
            let refused = failure(url)
            #expect(refused?.kind == .tlsFailed)
            #expect(
                refused?.description
                    == "cannot connect to redis localhost:\(server.tlsPort): the server's certificate does not verify: self-signed certificate in certificate chain")
            #expect(try connect(url + "&ssl_cert_reqs=none").send("PING") == .status("PONG"))
            #expect(try connect(url + "&ssl_cert_reqs=CERT_NONE").send("PING") == .status("PONG"))
        }
    }

    @Test("a host the certificate does not name fails verification unless ssl_check_hostname=false")
    func hostName() throws {
        try RedisServer.with(RedisServerOptions(tls: true, extraArguments: ["--bind", "127.0.0.1", "127.0.0.2"])) { server throws in
            let url = "rediss://127.0.0.2:\(server.tlsPort)?ssl_ca_certs=\(certificates.caFile)"
            let refused = failure(url)
            #expect(refused?.kind == .tlsFailed)
            #expect(refused?.description.hasSuffix("the server's certificate does not verify: IP address mismatch") == true, "\(refused?.description ?? "")")
            #expect(try connect(url + "&ssl_check_hostname=false").send("PING") == .status("PONG"))
            #expect(try connect("rediss://127.0.0.1:\(server.tlsPort)?ssl_ca_certs=\(certificates.caFile)").send("PING") == .status("PONG"))
        }
    }

    @Test("a CA file that does not exist is named, with the reason")
    func missingCAFile() throws {
        try RedisServer.with(RedisServerOptions(tls: true)) { server throws in
            let refused = failure("rediss://:s3cret@localhost:\(server.tlsPort)?ssl_ca_certs=/nonexistent/ca.pem")
            #expect(refused?.kind == .tlsFailed)
            #expect(
                refused?.description
                    == "cannot connect to redis localhost:\(server.tlsPort) over TLS: cannot read the CA file /nonexistent/ca.pem (ssl_ca_certs): No such file or directory")
            #expect(refused?.description.contains("s3cret") == false)
        }
    }

    @Test("a plain client on the TLS port and a TLS client on the plain port fail within the timeouts")
    func wrongPort() throws {
        try RedisServer.with(RedisServerOptions(tls: true)) { server throws in
            let (refused, duration) = elapsed {
                #expect(throws: RedisClientError.self) {
                    try connect("rediss://localhost:\(server.port)?ssl_ca_certs=\(certificates.caFile)", commandTimeout: .milliseconds(500))
                }
            }
            #expect(refused?.kind == .tlsFailed || refused?.kind == .connectFailed, "\(refused?.description ?? "")")
            #expect(duration < .seconds(3))
        }
    }

    @Test("pushed messages arrive through poll(2) on the descriptor, all of them, also in a burst of megabytes")
    func pubSub() throws {
        try RedisServer.with(RedisServerOptions(tls: true)) { server throws in
            let url = server.tlsURL
            let subscriber = try connect(url)
            let publisher = try connect(url)
            try subscriber.subscribe(channels: ["changes"])
            var events: [RedisPubSubEvent] = []
            let payload = [UInt8](repeating: 0x41, count: 3_000)
            var burst = RedisPipeline()
            for _ in 0..<1_000 { burst.append("PUBLISH", "changes", payload) }
            _ = try publisher.pipeline(burst)
            let arrived = try RedisServer.waitUntil(timeout: .seconds(30)) {
                // As an event loop waits: poll the socket, unless OpenSSL holds bytes poll cannot see.
                if !subscriber.hasBufferedInput {
                    var descriptor = pollfd(fd: try #require(subscriber.fileDescriptor), events: Int16(POLLIN), revents: 0)
                    _ = poll(&descriptor, 1, 1000)
                }
                events += try subscriber.readAvailableReplies().compactMap(RedisPubSubEvent.init)
                return events.count >= 1_001
            }
            #expect(arrived, "\(events.count) of 1001 events arrived")
            #expect(events.first == .subscribed(channelOrPattern: "changes", count: 1))
            #expect(events.dropFirst().allSatisfy { $0 == .message(channel: "changes", pattern: nil, payload: payload) })
        }
    }

    @Test("a timeout over TLS drops the connection; the next call, and the one after a restart, reconnect with AUTH and SELECT")
    func timeoutAndReconnect() throws {
        try RedisServer.with(RedisServerOptions(password: "pw", tls: true)) { server throws in
            let redis = try connect(
                "rediss://:pw@localhost:\(server.tlsPort)/3?ssl_ca_certs=\(certificates.caFile)", commandTimeout: .milliseconds(300))
            let timedOut = #expect(throws: RedisClientError.self) { try redis.send("BLPOP", "never", 10) }
            #expect(timedOut?.kind == .timedOut)
            #expect(try redis.send("CLIENT", "INFO").string?.contains(" db=3 ") == true)
            // The server closed the idle connection: the next call notices before writing, and reconnects.
            try server.restart()
            #expect(try redis.send("CLIENT", "INFO").string?.contains(" db=3 ") == true)
            #expect(redis.connectionCount == 3)
        }
    }
}
