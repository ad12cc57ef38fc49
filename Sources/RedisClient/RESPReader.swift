internal import CHiredis
internal import Glibc

/// The one owner of a hiredis `redisReader`, the RESP parser: bytes go in with `feed`, whole
/// replies come out of `nextReply`. hiredis 0.14 is used only for this; the sockets and TLS are
/// `RedisTransport`'s, so the same parser serves plain TCP, unix sockets and TLS.
///
/// `deinit` is the only place that frees the reader (with any reply it was half-way through);
/// every complete reply leaves through `RedisReply.consuming`, the one place replies are freed.
final class RESPReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() throws(TransportFailure) {
        // NULL only when malloc fails.
        guard let reader = redisReaderCreate() else {
            throw TransportFailure(kind: .socket, errno: ENOMEM, message: "out of memory for the RESP reader")
        }
        self.reader = reader
    }

    deinit { redisReaderFree(reader) }

    /// Appends received bytes; hiredis copies them into its buffer.
    func feed(_ bytes: UnsafeRawBufferPointer) throws(TransportFailure) {
        guard !bytes.isEmpty else { return }
        guard redisReaderFeed(reader, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count) == REDIS_OK else {
            throw failure()
        }
    }

    /// The next complete reply fed so far, or nil when more bytes are needed.
    func nextReply() throws(TransportFailure) -> RedisReply? {
        var reply: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &reply) == REDIS_OK else { throw failure() }
        return reply.map(RedisReply.consuming)
    }

    private func failure() -> TransportFailure {
        let message = withUnsafeBytes(of: reader.pointee.errstr) { bytes in
            String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return TransportFailure(kind: .protocolViolation, errno: 0, message: message)
    }
}
