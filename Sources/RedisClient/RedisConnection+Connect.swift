internal import Glibc

extension RedisConnection {
    /// Opens a transport and logs it in. With a Sentinel group, first asks the sentinels where
    /// the master is, and checks with ROLE that the server it reaches is the master still.
    func connect() throws(RedisClientError) -> RedisTransport {
        _ = ignoringSIGPIPE
        try checkBeforeConnecting()
        if configuration.sentinel != nil {
            let master = try SentinelDiscovery.master(for: configuration)
            endpoint = master.endpoint
            discoveredBy = master.sentinel
            failoverWatch = SentinelFailoverWatch(configuration: configuration, sentinel: master.sentinel)
        }
        let context = try openTransport()
        try logIn(context)
        connectionCount += 1
        return context
    }

    private func checkBeforeConnecting() throws(RedisClientError) {
        let server = "redis \(configuration.endpoint)"
        for (name, timeout) in [("connect", configuration.connectTimeout), ("command", configuration.commandTimeout)]
        where timeout <= .zero {
            throw RedisClientError(.invalidConfiguration, "the \(name) timeout for \(server) must be positive, not \(seconds(timeout))")
        }
        switch configuration.endpoint {
        case .tcp(_, let port) where !(1...65535).contains(port):
            throw RedisClientError(.invalidConfiguration, "cannot connect to \(server): port \(port) is outside 1...65535")
        case .unixSocket(let path) where path.utf8.count >= maximumUnixSocketPathLength:
            // The kernel would silently cut the path to fit sockaddr_un and connect somewhere else.
            throw RedisClientError(
                .invalidConfiguration,
                "cannot connect to \(server): the socket path is \(path.utf8.count) bytes, "
                    + "more than the \(maximumUnixSocketPathLength - 1) a unix socket address holds")
        default:
            break
        }
    }

    /// Connects the socket, with TLS where configured (the CA and client files are read once).
    private func openTransport() throws(RedisClientError) -> RedisTransport {
        let server = "redis \(endpoint)"
        if let tls = configuration.tls, tlsContext == nil {
            do {
                tlsContext = try TLSContext(tls)
            } catch {
                // A file the URL names is missing or unreadable: retrying will not help.
                throw RedisClientError(.tlsFailed, "cannot connect to \(server) over TLS: \(error.message)")
            }
        }
        do {
            return try RedisTransport(
                connectingTo: endpoint, tls: tlsContext, connectTimeout: configuration.connectTimeout,
                commandTimeout: configuration.commandTimeout)
        } catch {
            if error.errno == ETIMEDOUT {
                throw RedisClientError(
                    .connectFailed,
                    "cannot connect to \(server): no answer within \(seconds(configuration.connectTimeout)) (connect timeout)")
            }
            if error.isTimeout {
                throw RedisClientError(
                    .connectFailed, "cannot connect to \(server): no answer to the TLS handshake within \(seconds(configuration.commandTimeout))")
            }
            let kind: RedisClientError.Kind = error.kind == .tls ? .tlsFailed : .connectFailed
            throw RedisClientError(kind, "cannot connect to \(server): \(error.message)")
        }
    }

    /// AUTH, SELECT and (with a Sentinel group) ROLE go out as one pipeline: one round trip, and
    /// a failed AUTH is reported as such rather than as the NOAUTH of SELECT.
    private func logIn(_ context: RedisTransport) throws(RedisClientError) {
        let server = "redis \(endpoint)"
        var handshake = RedisPipeline()
        var steps: [String] = []
        if let password = configuration.password {
            if let username = configuration.username {
                handshake.append("AUTH", username, password)
            } else {
                handshake.append("AUTH", password)
            }
            steps.append("AUTH")
        }
        if configuration.database != 0 {
            handshake.append("SELECT", configuration.database)
            steps.append("SELECT")
        }
        if configuration.sentinel != nil {
            // The sentinels' answer may be out of date (a failover under way): only a master will do.
            handshake.append("ROLE")
            steps.append("ROLE")
        }
        // In TLS 1.3 a server refuses a client's certificate after the client's handshake has
        // finished: one round trip makes that a failure of connecting, not of the first command.
        if handshake.isEmpty, configuration.tls != nil {
            handshake.append("PING")
            steps.append("PING")
        }
        guard !handshake.isEmpty else { return }
        var replies: [RedisReply] = []
        do {
            try context.write(handshake.bytes)
            while replies.count < handshake.count { replies.append(try context.readReply()) }
        } catch {
            // Still part of connecting: the caller's commands were not sent, so they cannot have run.
            let step = steps[0]
            // A TLS 1.3 server that wants a client certificate sends its alert and closes; the
            // close often overtakes the alert (a reset discards what was unread), so both say so.
            let refusedWithoutCertificate =
                configuration.tls != nil && configuration.tls?.certificateFile == nil && error.isClosedByPeer
            let cause =
                if refusedWithoutCertificate {
                    "it closed the TLS connection during \(step); if it authenticates clients (tls-auth-clients), "
                        + "give a client certificate with ssl_certfile and ssl_keyfile"
                } else if error.isTimeout {
                    "no answer to \(step) within \(seconds(configuration.commandTimeout))"
                } else if error.isEndOfStream {
                    "it closed the connection during \(step)"
                } else {
                    "\(error.message) during \(step)"
                }
            let kind: RedisClientError.Kind = error.kind == .tls || refusedWithoutCertificate ? .tlsFailed : .connectFailed
            throw RedisClientError(kind, "cannot connect to \(server): \(cause)")
        }
        for (step, reply) in zip(steps, replies) {
            switch step {
            case "AUTH":
                if let message = reply.errorMessage {
                    let user = configuration.username.map { " for user \"\($0)\"" } ?? ""
                    throw RedisClientError(.authenticationFailed, "AUTH failed\(user) on \(server): \(message)")
                }
            case "SELECT":
                if let message = reply.errorMessage {
                    throw RedisClientError(.selectFailed, "SELECT \(configuration.database) failed on \(server): \(message)")
                }
            case "ROLE":
                let role = reply.array?.first?.string ?? reply.errorMessage ?? "unknown"
                guard role == "master" else {
                    throw RedisClientError(
                        .connectFailed,
                        "\(server), which sentinel \(discoveredBy.map { "\($0)" } ?? "?") named as the master, is a \(role); "
                            + "a failover is under way, so the sentinels will be asked again")
                }
            default:
                break
            }
        }
    }
}

/// `sizeof(sockaddr_un.sun_path)`, including the terminating NUL.
private let maximumUnixSocketPathLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

extension timeval {
    /// setsockopt takes timeouts as timeval. A positive duration below one
    /// microsecond rounds up, because a zero timeval means "wait forever".
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let microseconds = Int(attoseconds / 1_000_000_000_000)
        self.init(tv_sec: Int(seconds), tv_usec: seconds == 0 && microseconds == 0 ? 1 : microseconds)
    }
}

/// OpenSSL writes TLS records with write(2). When redis has closed the socket, the kernel answers
/// a write with SIGPIPE, whose default action ends the process, and a redis restart would
/// kill the scheduler instead of failing one call. Linux has no per-socket opt-out
/// (SO_NOSIGPIPE) and OpenSSL's socket BIO does not pass MSG_NOSIGNAL (plain sockets do), so the
/// first connection ignores SIGPIPE process-wide, only if it still has its default action; a handler the
/// program installed is left alone. The write then fails with EPIPE, which is reported.
private let ignoringSIGPIPE: Void = {
    var current = sigaction()
    if sigaction(SIGPIPE, nil, &current) == 0, current.__sigaction_handler.sa_handler == nil {
        signal(SIGPIPE, SIG_IGN)
    }
}()
