internal import Glibc

extension RedisConnection {
    /// Opens a context and logs it in. AUTH and SELECT go out as one pipeline: one round
    /// trip, and a failed AUTH is reported as such rather than as the NOAUTH of SELECT.
    func connect() throws(RedisClientError) -> RedisTransport {
        _ = ignoringSIGPIPE
        let configuration = configuration
        let server = "redis \(configuration.endpoint)"
        for (name, timeout) in [("connect", configuration.connectTimeout), ("command", configuration.commandTimeout)]
        where timeout <= .zero {
            throw RedisClientError(.invalidConfiguration, "the \(name) timeout for \(server) must be positive, not \(seconds(timeout))")
        }

        switch configuration.endpoint {
        case .tcp(_, let port) where !(1...65535).contains(port):
            throw RedisClientError(.invalidConfiguration, "cannot connect to \(server): port \(port) is outside 1...65535")
        case .unixSocket(let path) where path.utf8.count >= maximumUnixSocketPathLength:
            // hiredis would silently cut the path to fit sockaddr_un and connect somewhere else.
            throw RedisClientError(
                .invalidConfiguration,
                "cannot connect to \(server): the socket path is \(path.utf8.count) bytes, "
                    + "more than the \(maximumUnixSocketPathLength - 1) a unix socket address holds")
        default:
            break
        }

        if let tls = configuration.tls, tlsContext == nil {
            do {
                tlsContext = try TLSContext(tls)
            } catch {
                // A file the URL names is missing or unreadable: retrying will not help.
                throw RedisClientError(.invalidConfiguration, "cannot connect to \(server) over TLS: \(error.message)")
            }
        }
        let context: RedisTransport
        do {
            context = try RedisTransport(
                connectingTo: configuration.endpoint, tls: tlsContext, connectTimeout: configuration.connectTimeout,
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

        var handshake = RedisPipeline()
        if let password = configuration.password {
            if let username = configuration.username {
                handshake.append("AUTH", username, password)
            } else {
                handshake.append("AUTH", password)
            }
        }
        if configuration.database != 0 { handshake.append("SELECT", configuration.database) }
        // In TLS 1.3 a server refuses a client's certificate after the client's handshake has
        // finished: one round trip makes that a failure of connecting, not of the first command.
        if handshake.isEmpty, configuration.tls != nil { handshake.append("PING") }
        if !handshake.isEmpty {
            let replies: [RedisReply]
            do {
                try context.write(handshake.bytes)
                replies = [try context.readReply()] + (handshake.count > 1 ? [try context.readReply()] : [])
            } catch {
                // Still part of connecting: the caller's commands were not sent, so they cannot have run.
                let step = configuration.password != nil ? "AUTH" : configuration.database != 0 ? "SELECT" : "PING"
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
            if configuration.password != nil, let message = replies[0].errorMessage {
                let user = configuration.username.map { " for user \"\($0)\"" } ?? ""
                throw RedisClientError(.authenticationFailed, "AUTH failed\(user) on \(server): \(message)")
            }
            if configuration.database != 0, let message = replies[replies.count - 1].errorMessage {
                throw RedisClientError(.selectFailed, "SELECT \(configuration.database) failed on \(server): \(message)")
            }
        }
        connectionCount += 1
        return context
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
