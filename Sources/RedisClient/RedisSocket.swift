internal import Glibc

/// The one owner of a connected socket descriptor: `deinit` closes it, and nothing else does.
///
/// Blocking, with SO_RCVTIMEO and SO_SNDTIMEO bounding every later read and write. The connect
/// itself is non-blocking and waited for with poll(2), so that it is bounded too (what hiredis'
/// `redisConnectWithTimeout` did before RedisClient owned its sockets).
final class RedisSocket {
    let descriptor: Int32

    /// Connects to the first address of `host` that accepts within `timeout` (in total).
    /// Host name resolution is not bounded by it.
    static func connect(host: String, port: Int, timeout: Duration) throws(TransportFailure) -> RedisSocket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let first = found else {
            throw TransportFailure(kind: .socket, errno: 0, message: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var lastFailure = TransportFailure(kind: .socket, errno: 0, message: "no address to connect to")
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            candidate = address.pointee.ai_next
            do {
                let socket = try RedisSocket(family: address.pointee.ai_family)
                try socket.connect(to: address.pointee.ai_addr, length: address.pointee.ai_addrlen, deadline: deadline)
                var on: Int32 = 1
                // Requests are written whole; Nagle would hold the last segment of each back.
                setsockopt(socket.descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                return socket
            } catch {
                lastFailure = error
                if error.isTimeout { break }
            }
        }
        throw lastFailure
    }

    /// Connects to the unix socket at `path`, which the caller has checked fits `sockaddr_un`.
    static func connect(unixSocket path: String, timeout: Duration) throws(TransportFailure) -> RedisSocket {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.enumerated() where index < bytes.count - 1 { bytes[index] = byte }
        }
        let socket = try RedisSocket(family: AF_UNIX)
        try withUnsafePointer(to: &address) { (pointer) throws(TransportFailure) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (generic) throws(TransportFailure) in
                try socket.connect(
                    to: generic, length: socklen_t(MemoryLayout<sockaddr_un>.size),
                    deadline: ContinuousClock.now.advanced(by: timeout))
            }
        }
        return socket
    }

    private init(family: Int32) throws(TransportFailure) {
        descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .lastSocketError() }
    }

    deinit { close(descriptor) }

    private func connect(to address: UnsafePointer<sockaddr>, length: socklen_t, deadline: ContinuousClock.Instant) throws(TransportFailure) {
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(descriptor, address, length) != 0 {
            guard errno == EINPROGRESS || errno == EINTR else { throw .lastSocketError() }
            var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            while true {
                let remaining = ContinuousClock.now.duration(to: deadline)
                guard remaining > .zero else { throw TransportFailure(kind: .timedOut, errno: ETIMEDOUT, message: "connect timeout") }
                let ready = poll(&waiting, 1, milliseconds(remaining))
                if ready > 0 { break }
                if ready < 0, errno != EINTR { throw .lastSocketError() }
            }
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &size)
            guard error == 0 else {
                errno = error
                throw .lastSocketError()
            }
        }
        _ = fcntl(descriptor, F_SETFL, flags)
    }

    /// Sets SO_RCVTIMEO and SO_SNDTIMEO: every later blocking read or write waits at most this long.
    func setTimeout(_ timeout: Duration) throws(TransportFailure) {
        var value = timeval(timeout)
        for option in [SO_RCVTIMEO, SO_SNDTIMEO]
        where setsockopt(descriptor, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size)) != 0 {
            throw .lastSocketError()
        }
    }

    /// One `read(2)`, blocking up to the timeout; the count read, 0 at EOF.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportFailure) -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw .lastSocketError() }
        }
    }

    /// One `send(2)`, blocking up to the timeout; the count written. MSG_NOSIGNAL: a write to a
    /// socket redis closed fails with EPIPE instead of raising SIGPIPE.
    func write(_ bytes: UnsafeRawBufferPointer) throws(TransportFailure) -> Int {
        while true {
            let count = send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return count }
            if errno != EINTR { throw .lastSocketError() }
        }
    }

    /// Waits up to `milliseconds` for the socket to become readable or closed.
    func waitForInput(milliseconds: Int32) -> Bool {
        var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&waiting, 1, milliseconds)
            if ready >= 0 { return ready > 0 }
            // EINTR: a signal arrived; the caller recomputes its deadline and waits again.
            if errno != EINTR { return true }  // let the read that follows report the error
            if milliseconds != 0 { return false }
        }
    }
}

/// A duration as poll(2)'s milliseconds, rounded up so that a short wait is not a busy loop.
func milliseconds(_ duration: Duration) -> Int32 {
    let (seconds, attoseconds) = duration.components
    let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    return Int32(clamping: max(0, total))
}
