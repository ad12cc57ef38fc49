/// Where one redis server is and how to log in to it, checked once when it is made.
///
/// Usually parsed from a URL with `init(url:)`, the same URLs Celery and redis-py accept,
/// `rediss://` (TLS) included. `description` is the redacted URL, so printing a
/// configuration never prints its password.
public struct RedisConfiguration: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)

        /// The server as errors name it: `127.0.0.1:6379`, `[::1]:6379` or `unix:/run/redis.sock`.
        public var description: String {
            switch self {
            case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unixSocket(let path): "unix:\(path)"
            }
        }
    }

    public static let defaultPort = 6379
    /// Five seconds is long enough for a loaded redis on another host to answer a large
    /// pipeline chunk, and short enough that a scheduler notices a dead server well within
    /// a typical lock TTL.
    public static let defaultTimeout: Duration = .seconds(5)

    public var endpoint: Endpoint
    /// The ACL user for `AUTH user password`; nil means `AUTH password` (the default user).
    public var username: String?
    /// Nil means no AUTH at all.
    public var password: String?
    public var database: Int
    /// TLS settings; nil for a plain connection (`redis://`, `unix://`).
    public var tls: TLS?
    /// The Sentinel group that names the master (`sentinel://`); then `endpoint` is only the first
    /// sentinel, and each connect asks the group where the master is.
    public var sentinel: Sentinel?
    /// Bounds the TCP or unix socket connect. Host name resolution is not bounded by it.
    public var connectTimeout: Duration
    /// Bounds each wait for the socket to accept or deliver bytes, not a whole call: a
    /// pipeline of 100,000 commands may take longer as long as redis keeps answering.
    public var commandTimeout: Duration

    public init(
        endpoint: Endpoint,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        tls: TLS? = nil,
        sentinel: Sentinel? = nil,
        connectTimeout: Duration = RedisConfiguration.defaultTimeout,
        commandTimeout: Duration = RedisConfiguration.defaultTimeout
    ) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.sentinel = sentinel
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// The configuration as a URL with the password replaced by `***`, for logs and errors.
    public var redactedURL: String {
        let secret = password == nil ? "" : ":***"
        let user = username.map(percentEncodedUserinfo) ?? ""
        let userinfo = username == nil && password == nil ? "" : "\(user)\(secret)@"
        // File paths are not secrets, and a reader debugging TLS needs them.
        let tlsQuery = (tls?.queryParameters ?? []).map { "\($0)=\($1)" }.joined(separator: "&")
        if let sentinel {
            // The master's credentials on the first part, as kombu writes them.
            let first = sentinel.sentinels.first.map { "sentinel://\(userinfo)\($0)" } ?? "sentinel://"
            let rest = sentinel.sentinels.dropFirst().map { ";sentinel://\($0)" }.joined()
            return first + rest + "/\(database)" + (tlsQuery.isEmpty ? "" : "?" + tlsQuery)
        }
        switch endpoint {
        case .tcp:
            let scheme = tls == nil ? "redis" : "rediss"
            return "\(scheme)://\(userinfo)\(endpoint)/\(database)" + (tlsQuery.isEmpty ? "" : "?" + tlsQuery)
        case .unixSocket(let path): return "unix://\(userinfo)\(path)?db=\(database)"
        }
    }
}

extension RedisConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { redactedURL }
    public var debugDescription: String { "RedisConfiguration(\(redactedURL))" }

    /// `dump()` and debuggers read the mirror, not `description`: keep the password out of it too.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "endpoint": endpoint, "username": username as Any, "password": password == nil ? "nil" : "***",
                "database": database, "tls": tls as Any,
                "sentinel": sentinel.map { "\($0.addresses) master \($0.masterName ?? "?")" } as Any, "connectTimeout": connectTimeout, "commandTimeout": commandTimeout,
            ])
    }
}
