internal import CHiredis
internal import Glibc

/// The one owner of a hiredis `redisContext`: whoever holds the last reference holds the
/// socket, and `deinit` is the only place in the module that calls `redisFree`.
///
/// A context is never repaired in place. After any failure its owner drops it and makes a
/// new one, so a context that saw an error (hiredis refuses all further I/O on it) or whose
/// byte stream may be out of step with the server is never used again. A context hiredis
/// returns half-opened (connect failed) is wrapped before it is checked, so throwing from
/// `init` frees it too.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>

    /// Connects in blocking mode, waiting at most `timeout` for the socket to connect.
    init(connectingTo endpoint: RedisConfiguration.Endpoint, timeout: timeval) throws(HiredisFailure) {
        let opened: UnsafeMutablePointer<redisContext>? =
            switch endpoint {
            case .tcp(let host, let port): redisConnectWithTimeout(host, Int32(port), timeout)
            case .unixSocket(let path): redisConnectUnixWithTimeout(path, timeout)
            }
        // hiredis returns NULL only when it cannot allocate the context.
        guard let opened else { throw HiredisFailure(code: REDIS_ERR_OOM, errno: ENOMEM, message: "out of memory") }
        context = opened
        try throwIfFailed(opened.pointee.err != 0)
    }

    deinit { redisFree(context) }

    var fileDescriptor: Int32 { context.pointee.fd }

    /// Sets SO_RCVTIMEO and SO_SNDTIMEO: every later blocking read or write waits at most this long.
    func setTimeout(_ timeout: timeval) throws(HiredisFailure) {
        try throwIfFailed(redisSetTimeout(context, timeout) != REDIS_OK)
    }

    /// hiredis copies what it is given into its output buffer before writing it; handing
    /// it a large pipeline in pieces of this size keeps that copy small, instead of
    /// doubling the memory a 70 MB batch needs.
    static let writeChunkSize = 1 << 20

    /// Writes already formatted RESP (`redisAppendFormattedCommand` takes any bytes, not
    /// only whole commands), blocking; each `write(2)` waits at most the timeout.
    func write(_ bytes: [UInt8]) throws(HiredisFailure) {
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + Self.writeChunkSize, bytes.count)
            let status = bytes.withUnsafeBytes { buffer in
                redisAppendFormattedCommand(
                    context, buffer.baseAddress?.advanced(by: offset).assumingMemoryBound(to: CChar.self), end - offset)
            }
            try throwIfFailed(status != REDIS_OK)
            var done: Int32 = 0
            repeat {
                try throwIfFailed(redisBufferWrite(context, &done) != REDIS_OK)
            } while done == 0
            offset = end
        }
    }

    /// The next reply, reading from the socket (blocking, bounded by the timeout) as needed.
    func readReply() throws(HiredisFailure) -> RedisReply {
        var reply: UnsafeMutableRawPointer?
        try throwIfFailed(redisGetReply(context, &reply) != REDIS_OK)
        guard let reply else {
            throw HiredisFailure(code: REDIS_ERR_OTHER, errno: 0, message: "hiredis returned no reply")
        }
        return RedisReply.consuming(reply)
    }

    /// The next reply already received and buffered, without touching the socket.
    func bufferedReply() throws(HiredisFailure) -> RedisReply? {
        var reply: UnsafeMutableRawPointer?
        try throwIfFailed(redisGetReplyFromReader(context, &reply) != REDIS_OK)
        return reply.map(RedisReply.consuming)
    }

    /// One `read(2)` of up to 16 KiB into hiredis' reader. Blocks unless `hasInput` said
    /// there is something to read.
    func receive() throws(HiredisFailure) {
        try throwIfFailed(redisBufferRead(context) != REDIS_OK)
    }

    /// Whether the socket is readable or closed right now, without blocking.
    var hasInput: Bool { waitForInput(milliseconds: 0) }

    /// Waits up to `milliseconds` for the socket to become readable or closed.
    func waitForInput(milliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&descriptor, 1, milliseconds)
            if ready >= 0 { return ready > 0 }
            // EINTR: a signal arrived; the caller recomputes its deadline and waits again.
            if errno != EINTR { return true }  // let the read that follows report the error
            if milliseconds != 0 { return false }
        }
    }

    /// Turns a failed hiredis call into a `HiredisFailure`, reading `errno` before anything
    /// else can change it.
    private func throwIfFailed(_ failed: Bool) throws(HiredisFailure) {
        guard failed else { return }
        let savedErrno = errno
        let message = withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        throw HiredisFailure(code: context.pointee.err, errno: savedErrno, message: message)
    }
}

/// A hiredis error as hiredis reports it; `RedisConnection` turns it into a sentence that
/// names the server and the operation.
struct HiredisFailure: Error {
    let code: Int32
    let errno: Int32
    let message: String

    /// A socket timeout shows as EAGAIN from read/write (SO_RCVTIMEO/SO_SNDTIMEO) or as
    /// ETIMEDOUT from hiredis' own connect wait.
    var isTimeout: Bool { code == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ETIMEDOUT) }

    var isClosedByPeer: Bool {
        code == REDIS_ERR_EOF || (code == REDIS_ERR_IO && (errno == ECONNRESET || errno == EPIPE))
    }

    var isEndOfStream: Bool { code == REDIS_ERR_EOF }

    var isProtocolViolation: Bool { code == REDIS_ERR_PROTOCOL }
}
