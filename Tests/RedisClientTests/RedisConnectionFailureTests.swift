import Foundation
import Glibc
import RedisClient
import Testing
import TestSupport

@Suite("RedisConnection fails clearly and bounded, then reconnects on the next call", .timeLimit(.minutes(1)))
struct RedisConnectionFailureTests {
    @Test("connecting to a port nobody listens on fails at once with the reason")
    func connectionRefused() throws {
        let port = FreePort.loopback()
        let configuration = try RedisConfiguration(url: "redis://:secret@127.0.0.1:\(port)")
        let (error, duration) = elapsed { #expect(throws: RedisClientError.self) { try RedisConnection(configuration: configuration) } }
        #expect(error?.kind == .connectFailed)
        #expect(error?.description == "cannot connect to redis 127.0.0.1:\(port): Connection refused")
        #expect(error?.commandsMayHaveRun == false)
        #expect(duration < .seconds(2))
    }

    @Test("connecting to a server that never accepts stops at the connect timeout")
    func connectTimeout() throws {
        let listener = try UnresponsiveListener()
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(listener.port)")
        configuration.connectTimeout = .milliseconds(300)
        let (error, duration) = elapsed { #expect(throws: RedisClientError.self) { try RedisConnection(configuration: configuration) } }
        #expect(error?.kind == .connectFailed)
        #expect(error?.description == "cannot connect to redis 127.0.0.1:\(listener.port): no answer within 0.3 s (connect timeout)")
        #expect(duration >= .milliseconds(250) && duration < .seconds(3))
        withExtendedLifetime(listener) {}
    }

    @Test("a server that accepts the connection but never answers AUTH fails the connect at the command timeout")
    func frozenDuringHandshake() throws {
        try RedisServer.with(RedisServerOptions(password: "pw")) { server in
            server.suspend()
            defer { server.resume() }
            let (error, duration) = elapsed {
                #expect(throws: RedisClientError.self) { try connect(server, userinfo: ":pw@", commandTimeout: .milliseconds(300)) }
            }
            #expect(error?.kind == .connectFailed)
            #expect(error?.description == "cannot connect to redis 127.0.0.1:\(server.port): no answer to AUTH within 0.3 s")
            #expect(error?.commandsMayHaveRun == false)
            #expect(duration < .seconds(3))
        }
    }

    @Test("a command that outlives the command timeout throws, and the next call reconnects")
    func commandTimeout() throws {
        try RedisServer.with { server in
            let redis = try connect(server, database: 2, commandTimeout: .milliseconds(300))
            let (error, duration) = elapsed { #expect(throws: RedisClientError.self) { try redis.send("BLPOP", "never-filled", 10) } }
            #expect(error?.kind == .timedOut)
            #expect(
                error?.description
                    == "timed out after 0.3 s waiting for redis 127.0.0.1:\(server.port) to answer BLPOP; the next call reconnects")
            #expect(error?.commandsMayHaveRun == true)
            #expect(duration >= .milliseconds(250) && duration < .seconds(3))
            #expect(!redis.isConnected)

            #expect(try redis.send("SET", "after", "timeout").isOK)
            #expect(redis.connectionCount == 2)
            #expect(try redis.send("CLIENT", "INFO").string?.contains(" db=2 ") == true, "the reconnect selected db 2 again")
        }
    }

    @Test("a pipeline to a frozen server times out, telling how many replies had arrived")
    func pipelineTimeout() throws {
        try RedisServer.with { server in
            let redis = try connect(server, commandTimeout: .milliseconds(300))
            var pipeline = RedisPipeline()
            for _ in 0..<3 { pipeline.append("PING") }
            server.suspend()
            let error = #expect(throws: RedisClientError.self) { try redis.pipeline(pipeline) }
            server.resume()
            #expect(error?.kind == .timedOut)
            #expect(
                error?.description
                    == "timed out after 0.3 s waiting for redis 127.0.0.1:\(server.port) to answer PIPELINE (3 commands); "
                    + "0 of 3 replies had arrived; the next call reconnects")
            #expect(try redis.pipeline(pipeline) == Array(repeating: .status("PONG"), count: 3))
        }
    }

    @Test("a restart during a call fails that call once; the next call reconnects with AUTH and SELECT")
    func restartDuringCall() throws {
        try RedisServer.with(RedisServerOptions(password: "pw")) { server in
            let redis = try connect(server, userinfo: ":pw@", database: 3, commandTimeout: .seconds(20))
            let restarted = onHelperThread {
                let observer = try connect(server, userinfo: ":pw@")
                // Restart only once the BLPOP below is parked in the server, so that it is
                // the call in flight that sees the connection close.
                let blocked = try RedisServer.waitUntil(timeout: .seconds(20)) {
                    try observer.send("INFO", "clients").string?.contains("blocked_clients:1") == true
                }
                guard blocked else { throw RedisServerError(description: "BLPOP never blocked") }
                try server.restart()
            }
            let error = #expect(throws: RedisClientError.self) { try redis.send("BLPOP", "never-filled", 15) }
            try restarted()
            #expect(error?.kind == .connectionClosed)
            #expect(
                error?.description
                    == "redis 127.0.0.1:\(server.port) closed the connection during BLPOP")
            #expect(error?.commandsMayHaveRun == true)

            #expect(try redis.send("SET", "k", "v").isOK)
            #expect(redis.connectionCount == 2)
            #expect(try redis.send("CLIENT", "INFO").string?.contains(" db=3 ") == true, "the reconnect selected db 3 again")
        }
    }

    @Test("a connection the server closed while idle reconnects before sending, so the call succeeds")
    func restartWhileIdle() throws {
        try RedisServer.with { server in
            let redis = try connect(server, database: 1)
            #expect(try redis.send("PING") == .status("PONG"))
            try server.restart()
            #expect(try redis.send("SET", "k", "v").isOK)
            #expect(redis.connectionCount == 2)
            #expect(try redis.send("CLIENT", "INFO").string?.contains(" db=1 ") == true, "the reconnect selected db 1 again")
        }
    }

    @Test("while the server is down, each call fails to connect without having sent anything")
    func serverDown() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let redis = try connect(server)
        server.stop()
        for _ in 0..<2 {
            let error = #expect(throws: RedisClientError.self) { try redis.send("INCR", "n") }
            #expect(error?.kind == .connectFailed)
            #expect(error?.commandsMayHaveRun == false)
        }
        try server.restart()
        #expect(try redis.send("INCR", "n") == .integer(1))
    }
}

@Suite("RedisConnection refuses what it cannot connect to correctly")
struct RedisConnectionConfigurationTests {
    @Test("a port outside 1...65535 or a unix socket path too long for sockaddr_un is refused before connecting")
    func unusableEndpoints() throws {
        let badPort = #expect(throws: RedisClientError.self) {
            try RedisConnection(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: 70_000)))
        }
        #expect(badPort?.kind == .invalidConfiguration)
        #expect(badPort?.description == "cannot connect to redis 127.0.0.1:70000: port 70000 is outside 1...65535")

        let path = "/tmp/" + String(repeating: "s", count: 120)
        let longPath = #expect(throws: RedisClientError.self) {
            try RedisConnection(configuration: RedisConfiguration(endpoint: .unixSocket(path: path)))
        }
        #expect(longPath?.kind == .invalidConfiguration)
        #expect(longPath?.description.hasSuffix("the socket path is 125 bytes, more than the 107 a unix socket address holds") == true)
    }

    @Test("a zero timeout is refused: hiredis would read it as wait forever")
    func zeroTimeout() throws {
        var configuration = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: 6379))
        configuration.commandTimeout = .zero
        let error = #expect(throws: RedisClientError.self) { try RedisConnection(configuration: configuration) }
        #expect(error?.kind == .invalidConfiguration)
        #expect(error?.description.hasPrefix("the command timeout for redis 127.0.0.1:6379 must be positive") == true)
    }

    @Test("connecting ignores SIGPIPE, so a write to a closed socket fails instead of ending the process")
    func sigpipeIgnored() throws {
        try RedisServer.with { server in
            _ = try connect(server)
            var action = sigaction()
            #expect(sigaction(SIGPIPE, nil, &action) == 0)
            #expect(unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self))
        }
    }
}

/// A TCP listener on 127.0.0.1 whose accept queue is full, so that the kernel drops new SYNs
/// and a connect hangs until the client gives up: a local stand-in for an unroutable host.
final class UnresponsiveListener {
    let port: Int
    private var descriptors: [Int32] = []

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        descriptors.append(listener)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 0) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard listening else { throw RedisServerError(description: "cannot listen: \(String(cString: strerror(errno)))") }
        port = Int(UInt16(bigEndian: address.sin_port))
        // A backlog of 0 still admits one connection; two more make sure the queue is full.
        for _ in 0..<3 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            descriptors.append(filler)
            _ = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) }
            }
        }
    }

    deinit { descriptors.forEach { close($0) } }
}
