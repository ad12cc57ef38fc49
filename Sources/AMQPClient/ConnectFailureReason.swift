internal import Glibc

/// Why a TCP connect to `host:port` fails ("connection refused", "no route to host"), or nil if it
/// succeeds now.
///
/// librabbitmq 0.11 reports every failed connect as "a socket error occurred": it reads the error
/// with `SO_ERROR` and drops it. To write `cannot connect to amqp 127.0.0.1:5673: connection refused`
/// the connection repeats the connect once with plain sockets, bounded by `timeout`, only after
/// librabbitmq's attempt has failed.
func connectFailureReason(host: String, port: Int, timeout: Duration) -> String? {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let lookup = getaddrinfo(host, String(port), &hints, &list)
    guard lookup == 0, let first = list else {
        return lookup == 0 ? nil : String(cString: gai_strerror(lookup))
    }
    defer { freeaddrinfo(first) }

    var lastError: Int32 = 0
    var address: UnsafeMutablePointer<addrinfo>? = first
    while let current = address {
        address = current.pointee.ai_next
        let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), current.pointee.ai_protocol)
        guard fd >= 0 else {
            lastError = errno
            continue
        }
        defer { close(fd) }
        if connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return nil }
        guard errno == EINPROGRESS else {
            lastError = errno
            continue
        }
        var pending = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&pending, 1, milliseconds) == 1 else {
            lastError = ETIMEDOUT
            continue
        }
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length) == 0 else {
            lastError = errno
            continue
        }
        if socketError == 0 { return nil }
        lastError = socketError
    }
    guard lastError != 0, let text = strerror(lastError) else { return nil }
    let sentence = String(cString: text)
    return sentence.prefix(1).lowercased() + sentence.dropFirst()
}
