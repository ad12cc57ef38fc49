import Foundation
import Glibc

/// What kind of private redis-server a test needs.
public struct RedisServerOptions: Sendable {
    public struct ACLUser: Sendable {
        public var name: String
        public var password: String
        public init(name: String, password: String) {
            self.name = name
            self.password = password
        }
    }

    /// `--requirepass`: the password of the default user.
    public var password: String?
    /// `--user NAME on >PASSWORD ~* &* +@all`: an ACL user with every permission.
    public var aclUser: ACLUser?
    /// Also listen on a unix socket in the server's private directory.
    public var unixSocket: Bool
    /// Also listen on the IPv6 loopback, `[::1]`, on the same port.
    public var ipv6Loopback: Bool
    /// Also listen with TLS on `tlsPort`, with the test CA's server certificate; when
    /// `tlsClientsAuthenticate`, clients must show a certificate the test CA signed.
    public var tls: Bool
    public var tlsClientsAuthenticate: Bool
    /// Anything else, e.g. `["--timeout", "1"]`.
    public var extraArguments: [String]

    public init(
        password: String? = nil, aclUser: ACLUser? = nil, unixSocket: Bool = false, ipv6Loopback: Bool = false,
        tls: Bool = false, tlsClientsAuthenticate: Bool = false, extraArguments: [String] = []
    ) {
        self.password = password
        self.aclUser = aclUser
        self.unixSocket = unixSocket
        self.ipv6Loopback = ipv6Loopback
        self.tls = tls || tlsClientsAuthenticate
        self.tlsClientsAuthenticate = tlsClientsAuthenticate
        self.extraArguments = extraArguments
    }
}

public struct RedisServerError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// A private redis-server for one test: 127.0.0.1 on a free port, no persistence, its own
/// temporary directory (log, unix socket). It stops exactly the process it started.
///
/// Prefer `RedisServer.with(...) { server in ... }`, which stops the server when the body
/// returns or throws; `deinit` stops it too, but Swift may end an object's life right after
/// its last use, which could be before the test is done with the server.
///
/// The process is spawned with `posix_spawn` (see `spawn`) and reaped with `waitpid`, so
/// the helper controls the child's signal mask and knows the moment it exits.
///
/// `@unchecked Sendable`: a reconnect test restarts the server from a helper thread while
/// the test thread is blocked in a call; `lock` guards the process id.
public final class RedisServer: @unchecked Sendable {
    public let options: RedisServerOptions
    public private(set) var port: Int
    /// The TLS port when `options.tls` (the plain `port` stays open, for checks and readiness).
    public private(set) var tlsPort: Int
    /// The server's private directory; holds `redis.log` and, if asked for, `redis.sock`.
    public let directory: String
    private let lock = NSLock()
    private var processID: pid_t?

    /// `redis://127.0.0.1:PORT`, without credentials.
    public var url: String { "redis://127.0.0.1:\(port)" }
    /// `rediss://localhost:TLSPORT?ssl_ca_certs=...`: the test CA, the name the certificate carries.
    public var tlsURL: String {
        "rediss://localhost:\(tlsPort)?ssl_ca_certs=" + (try! TestCertificates.shared()).caFile
    }
    public var unixSocketPath: String? { options.unixSocket ? directory + "/redis.sock" : nil }
    public var logPath: String { directory + "/redis.log" }
    public var log: String { textOfFile(logPath) }

    /// Starts a server and waits until it answers PING, retrying on another port if the
    /// chosen one was taken in the meantime.
    public static func start(_ options: RedisServerOptions = RedisServerOptions()) throws -> RedisServer {
        let server = try RedisServer(options: options)
        var lastError: (any Error)?
        for _ in 1...5 {
            do {
                try server.launch()
                return server
            } catch let error as RedisServerError where server.log.contains("Address already in use") {
                lastError = error
                server.port = FreePort.loopback()
                server.tlsPort = FreePort.loopback()
            }
        }
        throw lastError!
    }

    /// Runs `body` with a fresh server and stops the server afterwards, whatever happens.
    public static func with<Result>(
        _ options: RedisServerOptions = RedisServerOptions(), _ body: (RedisServer) throws -> Result
    ) throws -> Result {
        let server = try start(options)
        defer { server.stop() }
        return try body(server)
    }

    private init(options: RedisServerOptions) throws {
        self.options = options
        self.port = FreePort.loopback()
        self.tlsPort = FreePort.loopback()
        var template = Array("/tmp/redis-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw RedisServerError(description: "mkdtemp: \(String(cString: strerror(errno)))")
        }
        directory = String(cString: created)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard let processID else { return }
        self.processID = nil
        terminate(processID)
    }

    /// Kills the server with SIGKILL, as a crashed host would look: no shutdown, no goodbye to replicas.
    public func killAbruptly() {
        lock.lock()
        defer { lock.unlock() }
        guard let processID else { return }
        self.processID = nil
        kill(processID, SIGKILL)
        var status: Int32 = 0
        waitpid(processID, &status, 0)
    }

    /// Stops the server and starts a new one on the same port with the same options, so
    /// that clients see their connections closed and can reconnect to the same address.
    public func restart() throws {
        stop()
        try launch()
    }

    /// Freezes the server (SIGSTOP): connections stay open but nothing answers, the way a
    /// wedged or partitioned server looks to a client.
    public func suspend() { signal(SIGSTOP) }
    public func resume() { signal(SIGCONT) }

    private func signal(_ number: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if let processID { kill(processID, number) }
    }

    /// Reaps the process if it has exited; never blocks.
    private static func hasExited(_ processID: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(processID, &status, WNOHANG) == processID
    }

    private func launch() throws {
        lock.lock()
        defer { lock.unlock() }
        precondition(processID == nil, "launch() while the server is running")
        var arguments = [
            try Self.executable(), "--port", String(port), "--save", "", "--appendonly", "no",
            "--dir", directory, "--daemonize", "no", "--logfile", "",
        ]
        arguments += ["--bind", "127.0.0.1"] + (options.ipv6Loopback ? ["::1"] : [])
        if let path = unixSocketPath { arguments += ["--unixsocket", path, "--unixsocketperm", "700"] }
        if let password = options.password { arguments += ["--requirepass", password] }
        if let user = options.aclUser { arguments += ["--user", user.name, "on", ">" + user.password, "~*", "&*", "+@all"] }
        if options.tls {
            let certificates = try TestCertificates.shared()
            arguments += [
                "--tls-port", String(tlsPort), "--tls-cert-file", certificates.serverCertificateFile,
                "--tls-key-file", certificates.serverKeyFile, "--tls-ca-cert-file", certificates.caFile,
                "--tls-auth-clients", options.tlsClientsAuthenticate ? "yes" : "no",
            ]
        }
        arguments += options.extraArguments

        let processID = try spawn(arguments, output: logPath)
        let ready = Self.waitUntil(timeout: .seconds(30)) { Self.hasExited(processID) || pingAnswered(port: port) }
        guard ready, pingAnswered(port: port) else {
            if !Self.hasExited(processID) {
                kill(processID, SIGKILL)
                var status: Int32 = 0
                waitpid(processID, &status, 0)
            }
            throw RedisServerError(
                description: "redis-server on port \(port) did not answer PING within 30 s; its log:\n\(log)")
        }
        self.processID = processID
    }

    /// The redis-server program the tests run (`REDIS_SERVER`, else the one on PATH).
    public static func executablePath() throws -> String { try executable() }

    private static func executable() throws -> String {
        if let path = ProcessInfo.processInfo.environment["REDIS_SERVER"] { return path }
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for directory in directories + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(directory)/redis-server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw RedisServerError(description: "redis-server is not on PATH; install Debian's redis-server package")
    }
}

extension RedisServer {
    /// Polls `condition` every 5 ms until it holds or `timeout` passes; returns whether it
    /// held. For tests that wait for an event: a generous timeout costs nothing when the
    /// event comes early.
    public static func waitUntil(timeout: Duration, _ condition: () throws -> Bool) rethrows -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while try !condition() {
            if clock.now >= deadline { return false }
            usleep(5_000)
        }
        return true
    }
}

/// Stops a process `spawn` started: SIGTERM (and SIGCONT, since a suspended process handles
/// SIGTERM only once it runs again), then SIGKILL after 10 s; waits for it to exit.
func terminate(_ processID: pid_t) {
    kill(processID, SIGTERM)
    kill(processID, SIGCONT)
    var status: Int32 = 0
    if !RedisServer.waitUntil(timeout: .seconds(10), { waitpid(processID, &status, WNOHANG) == processID }) {
        kill(processID, SIGKILL)
        waitpid(processID, &status, 0)
    }
}

/// Starts `arguments[0]` with stdout and stderr appended to `output`.
///
/// The child gets an empty signal mask and default signal actions: test threads (libdispatch
/// workers) block most signals, and a child inheriting that mask would never see SIGTERM.
///
/// Also for the other servers the Redis tests start (sentinels, `openssl`): Foundation's `Process`
/// leaves allocations behind that LeakSanitizer reports, and `scripts/leak-check-redis` runs these tests.
func spawn(_ arguments: [String], output: String) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    var allSignals = sigset_t()
    sigemptyset(&noSignals)
    sigfillset(&allSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    // Nothing else of the test process: tests run in parallel, and a server that kept, say, the
    // write end of another test's pipe to rabbitmqctl would keep that test waiting for EOF for as
    // long as the server lives.
    guard closeFrom(3, in: &actions) == 0 else {
        throw RedisServerError(description: "cannot start \(arguments[0]): posix_spawn_file_actions_addclosefrom_np failed")
    }
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var processID: pid_t = 0
    let status = posix_spawn(&processID, arguments[0], &actions, &attributes, &argv, environ)
    guard status == 0 else {
        throw RedisServerError(description: "cannot start \(arguments[0]): \(String(cString: strerror(status)))")
    }
    return processID
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later; Debian 12 has 2.36),
/// which Swift's Glibc module does not import: found by name at run time. Returns -1 if absent.
private func closeFrom(_ descriptor: Int32, in actions: inout posix_spawn_file_actions_t) -> Int32 {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return -1 }
    return unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, descriptor)
}

/// Whether something on 127.0.0.1:port answers an inline PING with a RESP status or error
/// (`-NOAUTH` counts: the server is up, it just wants a password).
private func pingAnswered(port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var timeout = timeval(tv_sec: 1, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
    guard connected else { return false }
    let ping = Array("PING\r\n".utf8)
    guard write(descriptor, ping, ping.count) == ping.count else { return false }
    var reply = [UInt8](repeating: 0, count: 64)
    let count = read(descriptor, &reply, reply.count)
    return count > 0 && (reply[0] == UInt8(ascii: "+") || reply[0] == UInt8(ascii: "-"))
}
