internal import Glibc

/// One connection's byte stream to redis: a socket (TCP or unix), TLS over it where the URL says
/// `rediss://`, and the RESP reader. The one owner of all three; a transport is never repaired in
/// place: after any failure its owner drops it and makes a new one, so a stream that may be out of
/// step with the server is never used again.
///
/// The request bytes are written from the caller's buffer as they are (no copy into a second
/// output buffer), and replies are read 16 KiB at a time into a buffer kept for the connection's
/// life and fed to the reader: the same work per byte over every transport.
final class RedisTransport {
    /// Holds the socket too, so the SSL is always freed before its socket is closed.
    private let tls: TLSSession?
    private let socket: RedisSocket
    private let reader: RESPReader
    private var readBuffer: UnsafeMutableRawBufferPointer

    /// Connects within `connectTimeout`; with `tls`, then handshakes within `commandTimeout`.
    init(
        connectingTo endpoint: RedisConfiguration.Endpoint, tls: TLSContext?, connectTimeout: Duration,
        commandTimeout: Duration
    ) throws(TransportFailure) {
        let socket: RedisSocket =
            switch endpoint {
            case .tcp(let host, let port): try RedisSocket.connect(host: host, port: port, timeout: connectTimeout)
            case .unixSocket(let path): try RedisSocket.connect(unixSocket: path, timeout: connectTimeout)
            }
        try socket.setTimeout(commandTimeout)
        if let tls {
            let host: String =
                switch endpoint {
                case .tcp(let host, _): host
                case .unixSocket: "localhost"
                }
            self.tls = try TLSSession(context: tls, socket: socket, host: host)
        } else {
            self.tls = nil
        }
        self.socket = socket
        reader = try RESPReader()
        readBuffer = .allocate(byteCount: 16 * 1024, alignment: 1)
    }

    deinit { readBuffer.deallocate() }

    var fileDescriptor: Int32 { socket.descriptor }

    /// Writes all of `bytes`, blocking; each wait for the socket is bounded by the command timeout.
    func write(_ bytes: [UInt8]) throws(TransportFailure) {
        // Array.withUnsafeBytes rethrows untyped errors, so the failure leaves the closure as a value.
        let outcome = bytes.withUnsafeBytes { all -> Result<Void, TransportFailure> in
            var offset = 0
            while offset < all.count {
                let rest = UnsafeRawBufferPointer(rebasing: all[offset...])
                do throws(TransportFailure) {
                    let written = if let tls { try tls.write(rest) } else { try socket.write(rest) }
                    guard written > 0 else { return .failure(.closed) }
                    offset += written
                } catch {
                    return .failure(error)
                }
            }
            return .success(())
        }
        try outcome.get()
    }

    /// The next reply, reading from the socket (blocking, bounded by the timeout) as needed.
    func readReply() throws(TransportFailure) -> RedisReply {
        while true {
            if let reply = try reader.nextReply() { return reply }
            try receive()
        }
    }

    /// The next reply already received, without touching the socket.
    func bufferedReply() throws(TransportFailure) -> RedisReply? {
        try reader.nextReply()
    }

    /// One read of up to 16 KiB into the reader. Blocks unless `hasInput` said there is something.
    func receive() throws(TransportFailure) {
        let count = if let tls { try tls.read(into: readBuffer) } else { try socket.read(into: readBuffer) }
        guard count > 0 else { throw TransportFailure.closed }
        try reader.feed(UnsafeRawBufferPointer(rebasing: readBuffer[..<count]))
    }

    /// Whether a read would find something right now without blocking: decrypted bytes OpenSSL
    /// holds (poll(2) does not see them), or a readable or closed socket.
    var hasInput: Bool { hasDecryptedInput || socket.waitForInput(milliseconds: 0) }

    /// Decrypted bytes OpenSSL holds, which no poll(2) on the socket will announce. (Complete
    /// replies in the reader need no such flag: every read takes all of them before it returns.)
    var hasDecryptedInput: Bool { (tls?.pendingByteCount ?? 0) > 0 }

    /// Waits up to `milliseconds` for something to read.
    func waitForInput(milliseconds: Int32) -> Bool {
        hasDecryptedInput || socket.waitForInput(milliseconds: milliseconds)
    }
}
