public import Foundation

/// A master, its replicas and three sentinels (`redis-server --sentinel`) on loopback, for
/// failover tests: quick failure detection (1 s), a quorum of 2. Stops exactly what it started.
///
/// The sentinels are told of the first master only; they find its replicas and each other
/// themselves, as in production, so `start` waits for that before it returns.
public final class SentinelGroup: @unchecked Sendable {
    public static let masterName = "mymaster"

    /// Every redis-server started, the first master first; a killed one stays listed, stopped.
    public private(set) var servers: [RedisServer] = []
    public private(set) var sentinels: [SentinelProcess] = []
    public let sentinelPorts: [Int]
    /// With `SentinelSecurity.tls`, each sentinel's TLS port (the plain ones stay, for the sentinels'
    /// own talk); the test CA's server certificate.
    public let sentinelTLSPorts: [Int]
    public let security: SentinelSecurity
    private let directory: URL

    /// A password (`requirepass`) and TLS listeners on the sentinels, for `sentinel_kwargs` tests.
    public struct SentinelSecurity: Sendable {
        public var password: String?
        public var tls: Bool
        public init(password: String? = nil, tls: Bool = false) {
            self.password = password
            self.tls = tls
        }
    }

    /// The sentinels' TLS ports as a URL, like `url`.
    public var tlsURL: String { sentinelTLSPorts.map { "sentinel://localhost:\($0)" }.joined(separator: ";") }

    /// `sentinel://127.0.0.1:P1;sentinel://127.0.0.1:P2;sentinel://127.0.0.1:P3`, without a database.
    public var url: String { sentinelPorts.map { "sentinel://127.0.0.1:\($0)" }.joined(separator: ";") }

    /// kombu's transport options naming the master, as JSON.
    public static let transportOptions = #"{"master_name": "\#(masterName)"}"#

    /// Starts a master with `replicas` replicas and three sentinels watching them.
    public static func start(replicas: Int = 1, security: SentinelSecurity = SentinelSecurity()) throws -> SentinelGroup {
        let group = try SentinelGroup(security: security)
        do {
            let master = try RedisServer.start()
            group.servers.append(master)
            for _ in 0..<replicas { _ = try group.addReplica(of: master) }
            for (index, port) in group.sentinelPorts.enumerated() {
                let tlsPort = group.sentinelTLSPorts.indices.contains(index) ? group.sentinelTLSPorts[index] : nil
                try group.startSentinel(port: port, tlsPort: tlsPort, watching: master)
            }
            for sentinel in group.sentinels {
                for replica in group.servers.dropFirst() {
                    try sentinel.waitForLog(containing: "+slave slave 127.0.0.1:\(replica.port) ")
                }
            }
            // A failover needs a majority of the sentinels each knows of: wait until they met.
            try waitUntil("the sentinels to find each other", timeout: .seconds(60)) {
                group.sentinels.allSatisfy { $0.log.components(separatedBy: "+sentinel sentinel").count - 1 >= group.sentinelPorts.count - 1 }
            }
        } catch {
            group.stop()
            throw error
        }
        return group
    }

    private init(security: SentinelSecurity) throws {
        self.security = security
        sentinelPorts = (0..<3).map { _ in FreePort.loopback() }
        sentinelTLSPorts = security.tls ? (0..<3).map { _ in FreePort.loopback() } : []
        directory = try temporaryDirectory("sentinels")
    }

    deinit { stop() }

    /// Starts a replica of `master`; the sentinels find it through the master within seconds.
    public func addReplica(of master: RedisServer) throws -> RedisServer {
        let replica = try RedisServer.start(RedisServerOptions(extraArguments: ["--replicaof", "127.0.0.1", String(master.port)]))
        servers.append(replica)
        try waitUntil("the replica on \(replica.port) to sync with \(master.port)", timeout: .seconds(60)) {
            replica.log.contains("MASTER <-> REPLICA sync: Finished with success")
        }
        return replica
    }

    /// Waits until every sentinel has seen `replica` (before a failover can promote it).
    public func waitForSentinelsToSee(_ replica: RedisServer) throws {
        for sentinel in sentinels { try sentinel.waitForLog(containing: "+slave slave 127.0.0.1:\(replica.port) ") }
    }

    /// Waits until a sentinel announces that the master moved from `old`, and returns the new master.
    public func waitForSwitch(from old: RedisServer, timeout: Duration = .seconds(60)) throws -> RedisServer {
        let announcement = "+switch-master \(Self.masterName) 127.0.0.1 \(old.port) 127.0.0.1 "
        var newPort: Int?
        try waitUntil("the sentinels to promote a replica of \(old.port)", timeout: timeout) {
            for sentinel in sentinels {
                if let line = sentinel.log.split(separator: "\n").first(where: { $0.contains(announcement) }) {
                    newPort = line.split(separator: " ").last.flatMap { Int($0) }
                    return true
                }
            }
            return false
        }
        guard let promoted = servers.first(where: { $0.port == newPort }) else {
            throw RedisServerError(description: "the sentinels promoted port \(newPort ?? 0), which this group did not start")
        }
        return promoted
    }

    private func startSentinel(port: Int, tlsPort: Int?, watching master: RedisServer) throws {
        let configuration = directory.appendingPathComponent("sentinel-\(port).conf")
        // Sentinel rewrites its file as it learns the group, so each sentinel has its own.
        try ("""
            port \(port)
            bind 127.0.0.1
            dir \(directory.path)
            sentinel monitor \(Self.masterName) 127.0.0.1 \(master.port) 2
            sentinel down-after-milliseconds \(Self.masterName) 1000
            sentinel failover-timeout \(Self.masterName) 10000
            sentinel parallel-syncs \(Self.masterName) 1

            """ + (try securityLines(tlsPort: tlsPort))).write(to: configuration, atomically: true, encoding: .utf8)
        let sentinel = try SentinelProcess(
            arguments: [try RedisServer.executablePath(), configuration.path, "--sentinel"],
            logPath: directory.appendingPathComponent("sentinel-\(port).log").path)
        sentinels.append(sentinel)
        try sentinel.waitForLog(containing: "+monitor master \(Self.masterName)")
    }

    /// `requirepass` (and `sentinel sentinel-pass`, so the sentinels still talk to each other) and a
    /// TLS listener, as `security` asks.
    private func securityLines(tlsPort: Int?) throws -> String {
        var lines = ""
        if let password = security.password { lines += "requirepass \(password)\nsentinel sentinel-pass \(password)\n" }
        if let tlsPort {
            let certificates = try TestCertificates.shared()
            lines += "tls-port \(tlsPort)\ntls-cert-file \(certificates.serverCertificateFile)\n"
            lines += "tls-key-file \(certificates.serverKeyFile)\ntls-ca-cert-file \(certificates.caFile)\ntls-auth-clients no\n"
        }
        return lines
    }

    public func stop() {
        for sentinel in sentinels { sentinel.stop() }
        sentinels = []
        for server in servers { server.stop() }
    }
}

/// One `redis-server --sentinel`, started with posix_spawn like `RedisServer` (Foundation's
/// `Process` leaves allocations LeakSanitizer reports, and `scripts/leak-check-redis` runs the
/// Sentinel tests), stopped by its pid.
public final class SentinelProcess: @unchecked Sendable {
    private let lock = NSLock()
    private var processID: pid_t?
    public let logPath: String

    init(arguments: [String], logPath: String) throws {
        self.logPath = logPath
        processID = try spawn(arguments, output: logPath)
    }

    deinit { stop() }

    public var log: String { textOfFile(logPath) }

    public func waitForLog(containing text: String, timeout: Duration = .seconds(60)) throws {
        try waitUntil("\"\(text)\" in \(logPath)", timeout: timeout) { log.contains(text) }
    }

    /// SIGTERM, then SIGKILL after 10 s; waits for the process to exit.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard let processID else { return }
        self.processID = nil
        terminate(processID)
    }
}

/// The text of a file that a server may be writing, "" when it cannot be read. Plain read(2):
/// `String(contentsOfFile:)` leaves a buffer behind that LeakSanitizer reports when it reads a file
/// another process is still writing (`scripts/leak-check-redis` runs the tests that poll logs).
func textOfFile(_ path: String) -> String {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return "" }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = read(descriptor, &chunk, chunk.count)
        if count <= 0 { break }
        bytes += chunk[..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}
