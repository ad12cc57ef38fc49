internal import Glibc

/// Why a socket, TLS or RESP step failed, as the transport saw it; `RedisConnection` turns it into
/// a sentence that names the server and the operation.
struct TransportFailure: Error {
    enum Kind {
        /// SO_RCVTIMEO/SO_SNDTIMEO or the connect wait ran out.
        case timedOut
        /// An orderly close: EOF, or a TLS close_notify.
        case endOfStream
        /// A socket error; `errno` says which.
        case socket
        /// TLS refused: a certificate that does not verify, an alert from the server.
        case tls
        /// Bytes that are not RESP.
        case protocolViolation
    }

    let kind: Kind
    let errno: Int32
    let message: String

    /// The failure of the socket call that just set `errno`, read before anything can change it.
    static func lastSocketError() -> TransportFailure {
        let saved = Glibc.errno
        if saved == EAGAIN || saved == EWOULDBLOCK || saved == ETIMEDOUT {
            return TransportFailure(kind: .timedOut, errno: saved, message: String(cString: strerror(saved)))
        }
        return TransportFailure(kind: .socket, errno: saved, message: String(cString: strerror(saved)))
    }

    static let closed = TransportFailure(kind: .endOfStream, errno: 0, message: "Server closed the connection")

    var isTimeout: Bool { kind == .timedOut }

    var isClosedByPeer: Bool { kind == .endOfStream || (kind == .socket && (errno == ECONNRESET || errno == EPIPE)) }

    var isEndOfStream: Bool { kind == .endOfStream }

    var isProtocolViolation: Bool { kind == .protocolViolation }
}
