internal import CRedisTLS
internal import Glibc

/// The one owner of an OpenSSL `SSL_CTX`: the trusted CAs and the client certificate, read once
/// per connection and shared by its sessions (each reconnect handshakes with the same context).
/// `deinit` is the only place it is freed.
final class TLSContext {
    let settings: RedisConfiguration.TLS
    fileprivate let context: UnsafeMutableRawPointer

    /// Loads OpenSSL (the first time in the process) and reads the files the settings name.
    /// The error is one line naming the file and the reason, e.g. a wrong `ssl_ca_certs` path.
    init(_ settings: RedisConfiguration.TLS) throws(TransportFailure) {
        self.settings = settings
        var error = [CChar](repeating: 0, count: 1024)
        let made: UnsafeMutableRawPointer? = withOptionalCStrings(
            settings.caFile, settings.certificateFile, settings.keyFile
        ) { caFile, certificateFile, keyFile in
            var values = swiftbeat_tls_settings(
                verify_peer: settings.verifiesPeer ? 1 : 0, ca_file: caFile, cert_file: certificateFile, key_file: keyFile)
            return swiftbeat_tls_context_new(&values, &error, error.count)
        }
        guard let made else { throw TransportFailure(kind: .tls, errno: 0, message: text(error)) }
        context = made
    }

    deinit { swiftbeat_tls_context_free(context) }
}

/// The one owner of an OpenSSL `SSL` on a connected socket; `deinit` frees it. The socket stays
/// `RedisSocket`'s to close, and this keeps a reference to it so that it closes after the SSL is freed.
final class TLSSession {
    private let session: UnsafeMutableRawPointer
    /// Kept so that the socket cannot close while the SSL that uses it lives.
    private let socket: RedisSocket

    /// Handshakes on `socket`, bounded by the socket's timeouts.
    init(context: TLSContext, socket: RedisSocket, host: String) throws(TransportFailure) {
        var status = swiftbeat_tls_failed
        var error = [CChar](repeating: 0, count: 512)
        let checkHostname: Int32 = context.settings.checkHostname ? 1 : 0
        guard
            let opened = swiftbeat_tls_session_open(
                context.context, socket.descriptor, host, checkHostname, &status, &error, error.count)
        else {
            throw Self.failure(status, error, during: "the TLS handshake")
        }
        session = opened
        self.socket = socket
    }

    deinit { swiftbeat_tls_session_free(session) }

    /// Decrypted bytes held in OpenSSL that poll(2) on the socket cannot see.
    var pendingByteCount: Int { Int(swiftbeat_tls_pending(session)) }

    /// One TLS read into `buffer`, blocking up to the socket's timeout; 0 at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportFailure) -> Int {
        try call { text, size in swiftbeat_tls_read(session, buffer.baseAddress, buffer.count, text, size) }
    }

    /// One TLS write of at most one record's worth of `bytes`; the count written.
    func write(_ bytes: UnsafeRawBufferPointer) throws(TransportFailure) -> Int {
        try call { text, size in swiftbeat_tls_write(session, bytes.baseAddress, bytes.count, text, size) }
    }

    /// Runs one read or write with room for its error text on the stack: no allocation per call.
    private func call(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int) throws(TransportFailure) -> Int {
        let outcome: Result<Int, TransportFailure> = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { error in
            error[0] = 0
            let result = body(error.baseAddress!, error.count)
            if result > 0 { return .success(result) }
            if result == Int(swiftbeat_tls_closed.rawValue) { return .success(0) }
            let text = [CChar](error.prefix(while: { $0 != 0 })) + [0]
            return .failure(Self.failure(swiftbeat_tls_status(rawValue: Int32(result)), text, during: "TLS"))
        }
        return try outcome.get()
    }

    private static func failure(_ status: swiftbeat_tls_status, _ error: [CChar], during: String) -> TransportFailure {
        switch status {
        case swiftbeat_tls_timed_out:
            return TransportFailure(kind: .timedOut, errno: EAGAIN, message: "timed out during \(during)")
        case swiftbeat_tls_closed:
            return TransportFailure(kind: .endOfStream, errno: 0, message: text(error))
        default:
            let savedErrno = errno
            return TransportFailure(kind: savedErrno == 0 ? .tls : .socket, errno: savedErrno, message: text(error))
        }
    }
}

/// The NUL-terminated text in an error buffer the C side filled.
private func text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Calls `body` with C strings for the optional texts (NULL for nil), valid during the call.
private func withOptionalCStrings<Result>(
    _ first: String?, _ second: String?, _ third: String?,
    _ body: (UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Result
) -> Result {
    func with(_ text: String?, _ inner: (UnsafePointer<CChar>?) -> Result) -> Result {
        guard let text else { return inner(nil) }
        return text.withCString { inner($0) }
    }
    return with(first) { a in with(second) { b in with(third) { c in body(a, b, c) } } }
}
