internal import CRabbitMQ
internal import Glibc

/// One open librabbitmq connection to one broker, with channel 1 open in confirm mode.
///
/// The single owner of its `amqp_connection_state_t`: `deinit` is the only call to
/// `amqp_destroy_connection` (which also frees the socket), and it runs for a half-opened state
/// too, because every stored property is set before the first step that can throw.
///
/// Decoded frames live in librabbitmq's pools until `amqp_maybe_release_buffers`; the only call to
/// it is in `readingFrames`, which every read from the broker goes through, after the reader has
/// copied what it needs into Swift values.
///
/// Not thread-safe, like the C state it owns; `AMQPConnection` explains the threading.
final class AMQPSession {
    static let channel: amqp_channel_t = 1

    let endpoint: AMQPEndpoint
    private let state: amqp_connection_state_t
    private let operationTimeout: Duration
    /// Channel 1 is open and in confirm mode.
    private(set) var isChannelOpen = false
    /// The connection can no longer be used: the socket failed, the broker closed it, or a wait ran
    /// out with frames possibly still in flight.
    private(set) var isBroken = false
    /// The delivery tag the broker gives the next message published on channel 1 (confirm mode
    /// numbers a channel's messages from 1).
    private(set) var nextDeliveryTag: UInt64 = 1

    /// Connects, logs in, opens channel 1 and selects confirm mode; every step bounded.
    init(endpoint: AMQPEndpoint, configuration: AMQPConfiguration) throws(AMQPClientError) {
        guard let state = amqp_new_connection() else {
            throw AMQPClientError(.connectionFailed, "cannot connect to \(endpoint.schemeName) \(endpoint.hostAndPort): out of memory")
        }
        self.state = state
        self.endpoint = endpoint
        self.operationTimeout = configuration.operationTimeout
        try openSocket()
        try logIn(connectionName: configuration.connectionName)
        try openChannel()
    }

    deinit {
        amqp_destroy_connection(state)
    }

    // MARK: Opening

    private func openSocket() throws(AMQPClientError) {
        let socket: OpaquePointer
        if let tls = endpoint.tls {
            guard let tlsSocket = amqp_ssl_socket_new(state) else {
                throw AMQPClientError(.tlsFailed, "cannot set up TLS for \(endpoint.hostAndPort): OpenSSL initialisation failed")
            }
            socket = tlsSocket
            try configure(tlsSocket: tlsSocket, tls)
        } else {
            guard let tcpSocket = amqp_tcp_socket_new(state) else {
                throw AMQPClientError(.connectionFailed, "cannot connect to amqp \(endpoint.hostAndPort): out of memory")
            }
            socket = tcpSocket
        }

        let started = ContinuousClock.now
        var timeout = timeval(endpoint.connectTimeout)
        let status = amqp_socket_open_noblock(socket, endpoint.host, Int32(endpoint.port), &timeout)
        guard status == AMQP_STATUS_OK.rawValue else {
            let remaining = endpoint.connectTimeout - started.duration(to: .now)
            throw openFailure(status, probeTimeout: max(.milliseconds(200), remaining))
        }
        boundUnacknowledgedSends()
        var handshake = timeval(endpoint.connectTimeout)
        var rpc = timeval(operationTimeout)
        amqp_set_handshake_timeout(state, &handshake)
        amqp_set_rpc_timeout(state, &rpc)
    }

    private func configure(tlsSocket: OpaquePointer, _ tls: AMQPTLSOptions) throws(AMQPClientError) {
        amqp_ssl_socket_set_verify_peer(tlsSocket, tls.verifyCertificate ? 1 : 0)
        amqp_ssl_socket_set_verify_hostname(tlsSocket, tls.verifyHostname ? 1 : 0)
        var caFile = tls.caCertificatesFile
        if caFile == nil { caFile = try systemCABundle(needed: tls.verifyCertificate) }
        if let caFile {
            guard amqp_ssl_socket_set_cacert(tlsSocket, caFile) == AMQP_STATUS_OK.rawValue else {
                throw AMQPClientError(
                    .tlsFailed, "cannot load the CA certificates \(caFile) for \(endpoint.hostAndPort) (ssl_ca_certs)")
            }
        }
        if let certificate = tls.clientCertificateFile, let key = tls.clientKeyFile {
            guard amqp_ssl_socket_set_key(tlsSocket, certificate, key) == AMQP_STATUS_OK.rawValue else {
                throw AMQPClientError(
                    .tlsFailed,
                    "cannot load the client certificate \(certificate) with key \(key) for \(endpoint.hostAndPort)")
            }
        }
    }

    private func systemCABundle(needed: Bool) throws(AMQPClientError) -> String? {
        guard needed else { return nil }
        if let path = AMQPTLSOptions.systemBundleCandidates.first(where: { access($0, R_OK) == 0 }) { return path }
        throw AMQPClientError(
            .tlsFailed,
            "cannot verify \(endpoint.hostAndPort): no system CA bundle found (looked for "
                + AMQPTLSOptions.systemBundleCandidates.joined(separator: ", ") + "); set ssl_ca_certs")
    }

    private func openFailure(_ status: Int32, probeTimeout: Duration) -> AMQPClientError {
        let where_ = endpoint.hostAndPort
        switch status {
        case AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue:
            let ca = endpoint.tls?.caCertificatesFile.map { "the CA certificates in \($0)" } ?? "the system CAs"
            return AMQPClientError(
                .tlsFailed,
                "TLS certificate verification failed for \(where_): the broker's certificate is not signed by \(ca)"
                    + " (set ssl_ca_certs to the CA that signed it)")
        case AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue:
            return AMQPClientError(
                .tlsFailed,
                "TLS host name verification failed for \(where_): the broker's certificate does not name "
                    + "\"\(endpoint.host)\" among its DNS names")
        case AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue, AMQP_STATUS_SSL_ERROR.rawValue:
            return AMQPClientError(
                .tlsFailed,
                "TLS handshake with \(where_) failed: \(errorString(status)) (is it a TLS port, and does it accept the client certificate?)")
        case AMQP_STATUS_TIMEOUT.rawValue:
            return AMQPClientError(
                .connectionFailed,
                "cannot connect to \(endpoint.schemeName) \(where_): no answer within \(seconds(endpoint.connectTimeout)) (connect_timeout)")
        case AMQP_STATUS_HOSTNAME_RESOLUTION_FAILED.rawValue:
            return AMQPClientError(
                .connectionFailed, "cannot connect to \(endpoint.schemeName) \(where_): cannot resolve the host name \"\(endpoint.host)\"")
        default:
            // librabbitmq reports every refused or unreachable connect as "a socket error occurred";
            // one plain connect says which.
            let reason =
                connectFailureReason(host: endpoint.host, port: endpoint.port, timeout: probeTimeout)
                ?? errorString(status)
            return AMQPClientError(.connectionFailed, "cannot connect to \(endpoint.schemeName) \(where_): \(reason)")
        }
    }

    /// librabbitmq writes without a deadline; a broker that stops reading (or a peer that vanished)
    /// would block a publish for the kernel's retransmission time (~15 min). TCP_USER_TIMEOUT makes
    /// the kernel fail the socket once written data stays unacknowledged for the operation timeout.
    private func boundUnacknowledgedSends() {
        let fd = amqp_get_sockfd(state)
        guard fd >= 0 else { return }
        var milliseconds = UInt32(clamping: operationTimeout.components.seconds * 1000)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, &milliseconds, socklen_t(MemoryLayout<UInt32>.size))
    }

    private func logIn(connectionName: String) throws(AMQPClientError) {
        enum Outcome {
            case loggedIn
            case closedByBroker(code: UInt16, text: String)
            case failed(status: Int32)
        }
        let pool = AMQPPool(pageSize: 1024)
        let outcome: Outcome
        do {
            // librabbitmq adds product, version and capabilities (merging ours); the name is what
            // operators see. `connection.blocked`: RabbitMQ then says when an alarm makes it stop
            // reading, and why, which the beat logs instead of only seeing confirms stop.
            var clientProperties = try AMQPFieldTable([
                .init(key: "connection_name", value: .string(connectionName)),
                .init(key: "capabilities", value: ["connection.blocked": true]),
            ]).encoded(in: pool)
            let vhost = try pool.cString(endpoint.virtualHost)
            let user = try pool.cString(endpoint.user)
            let password = try pool.cString(endpoint.password)
            outcome = readingFrames { () -> Outcome in
                let reply = swiftbeat_amqp_login_plain(
                    state, vhost, 0, Int32(AMQP_DEFAULT_FRAME_SIZE), Int32(endpoint.heartbeat), &clientProperties, user,
                    password)
                switch reply.reply_type {
                case AMQP_RESPONSE_NORMAL:
                    return .loggedIn
                case AMQP_RESPONSE_SERVER_EXCEPTION:
                    guard reply.reply.id == Method.connectionClose, let decoded = reply.reply.decoded else {
                        return .closedByBroker(code: 0, text: "the broker closed the connection")
                    }
                    let close = decoded.load(as: amqp_connection_close_t.self)
                    return .closedByBroker(code: close.reply_code, text: string(close.reply_text))
                default:
                    return .failed(status: reply.library_error)
                }
            }
        } catch {
            throw AMQPClientError(
                .invalidConfiguration, "cannot log in to \(endpoint.schemeName) \(endpoint.location): \(error.reason)")
        }
        switch outcome {
        case .loggedIn:
            return
        case .closedByBroker(let code, let text):
            isBroken = true
            let forUser = "for user \"\(endpoint.user)\""
            let reply = AMQPReplyCode.describe(code, text)
            if code == 403 {
                throw AMQPClientError(
                    .loginRefused, "login refused by \(endpoint.schemeName) \(endpoint.location) \(forUser): \(reply)",
                    replyCode: code)
            }
            throw AMQPClientError(
                .loginRefused, "cannot open \(endpoint.schemeName) \(endpoint.location) \(forUser): \(reply)",
                replyCode: code)
        case .failed(let status):
            isBroken = true
            let detail =
                status == AMQP_STATUS_TIMEOUT.rawValue
                ? "no answer within \(seconds(endpoint.connectTimeout)) (connect_timeout)" : errorString(status)
            throw AMQPClientError(
                .connectionFailed,
                "AMQP handshake with \(endpoint.schemeName) \(endpoint.location) as user \"\(endpoint.user)\" failed: \(detail)")
        }
    }

    /// Opens channel 1 and puts it in confirm mode; also after the broker closed it.
    func openChannel() throws(AMQPClientError) {
        try rpc("cannot open a channel") { () -> Void in _ = amqp_channel_open(state, Self.channel) }
        try rpc("cannot select confirm mode") { () -> Void in _ = amqp_confirm_select(state, Self.channel) }
        isChannelOpen = true
        nextDeliveryTag = 1
    }

    // MARK: Queues

    /// `queue.declare`. A refusal (404 for a passive declare of a missing queue, 406 for different
    /// arguments) closes the channel: the error has `kind == .channelClosed` and the reply code.
    func declareQueue(
        _ name: String, passive: Bool, durable: Bool = true, arguments: AMQPFieldTable = AMQPFieldTable()
    ) throws(AMQPClientError) {
        let pool = AMQPPool(pageSize: 1024)
        let queue: amqp_bytes_t
        let table: amqp_table_t
        do {
            try arguments.validate()
            queue = try pool.bytes(name)
            table = try arguments.encoded(in: pool)
        } catch {
            throw AMQPClientError(.invalidMessage, "cannot declare queue \"\(name)\": \(error.reason)")
        }
        try rpc(passive ? "cannot check queue \"\(name)\"" : "cannot declare queue \"\(name)\"") { () -> Void in
            _ = amqp_queue_declare(state, Self.channel, queue, passive ? 1 : 0, durable ? 1 : 0, 0, 0, table)
        }
    }

    // MARK: Publishing

    /// Writes one `basic.publish` (method, header and body frames). Does not wait for anything.
    func publish(_ message: AMQPOutgoingMessage, pool: AMQPPool) throws(AMQPClientError) {
        defer { pool.recycle() }
        var properties: amqp_basic_properties_t
        let exchange: amqp_bytes_t
        let routingKey: amqp_bytes_t
        do {
            properties = try message.properties.encoded(in: pool)
            exchange = try pool.bytes(message.exchange)
            routingKey = try pool.bytes(message.routingKey)
        } catch {
            throw AMQPClientError(.invalidMessage, "cannot publish to \(message.destination): \(error.reason)")
        }
        let status = message.body.withUnsafeBytes { body in
            amqp_basic_publish(
                state, Self.channel, exchange, routingKey, message.mandatory ? 1 : 0, 0, &properties,
                amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            isBroken = true
            throw lost(status, while: "publishing")
        }
        nextDeliveryTag += 1
    }

    /// Runs `write` with the socket corked: the frames it writes leave in full TCP segments when it
    /// ends (or a segment fills) instead of one small segment per message, which saves the kernel
    /// and the broker's reader most of their per-message work.
    func corked<T, E: Error>(_ write: () throws(E) -> T) throws(E) -> T {
        let fd = amqp_get_sockfd(state)
        setCork(fd, true)
        defer { setCork(fd, false) }
        return try write()
    }

    private func setCork(_ fd: Int32, _ on: Bool) {
        guard fd >= 0 else { return }
        var value: Int32 = on ? 1 : 0
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    // MARK: Events from the broker

    enum Event {
        case ack(deliveryTag: UInt64, multiple: Bool)
        case nack(deliveryTag: UInt64, multiple: Bool)
        case returned(Returned)
        /// The broker closed channel 1 (close-ok already sent).
        case channelClosed(replyCode: UInt16, replyText: String)
        /// The broker closed the connection (close-ok already sent).
        case connectionClosed(replyCode: UInt16, replyText: String)
        case blocked(reason: String)
        case unblocked
        case ignored
    }

    struct Returned {
        var replyCode: UInt16
        var replyText: String
        var exchange: String
        var routingKey: String
        var correlationID: String?
    }

    /// The next frame from the broker as an event, waiting at most `timeout`; nil when nothing came.
    /// librabbitmq sends a due heartbeat inside this call and fails it when the broker has been
    /// silent for two heartbeat intervals.
    func nextEvent(waitingAtMost timeout: Duration) throws(AMQPClientError) -> Event? {
        try readingFrames { () throws(AMQPClientError) -> Event? in
            guard let frame = try waitFrame(timeout) else { return nil }
            guard frame.frame_type == AMQP_FRAME_METHOD, let decoded = frame.payload.method.decoded else {
                return .ignored
            }
            let methodID = frame.payload.method.id
            switch (frame.channel, methodID) {
            case (Self.channel, Method.basicAck):
                let ack = decoded.load(as: amqp_basic_ack_t.self)
                return .ack(deliveryTag: ack.delivery_tag, multiple: ack.multiple != 0)
            case (Self.channel, Method.basicNack):
                let nack = decoded.load(as: amqp_basic_nack_t.self)
                return .nack(deliveryTag: nack.delivery_tag, multiple: nack.multiple != 0)
            case (Self.channel, Method.basicReturn):
                let method = decoded.load(as: amqp_basic_return_t.self)
                var returned = Returned(
                    replyCode: method.reply_code, replyText: string(method.reply_text),
                    exchange: string(method.exchange), routingKey: string(method.routing_key))
                returned.correlationID = try skipReturnedContent()
                return .returned(returned)
            case (Self.channel, Method.channelClose):
                let close = decoded.load(as: amqp_channel_close_t.self)
                let event = Event.channelClosed(replyCode: close.reply_code, replyText: string(close.reply_text))
                answerChannelClose()
                return event
            case (0, Method.connectionClose):
                let close = decoded.load(as: amqp_connection_close_t.self)
                let event = Event.connectionClosed(replyCode: close.reply_code, replyText: string(close.reply_text))
                answerConnectionClose()
                return event
            case (0, Method.connectionBlocked):
                return .blocked(reason: string(decoded.load(as: amqp_connection_blocked_t.self).reason))
            case (0, Method.connectionUnblocked):
                return .unblocked
            default:
                return .ignored
            }
        }
    }

    /// A `basic.return` is followed by the returned message's header and body frames; reads them
    /// (bounded) so the next read starts at a method again, and keeps the correlation id.
    private func skipReturnedContent() throws(AMQPClientError) -> String? {
        let deadline = ContinuousClock.now + operationTimeout
        var correlationID: String?
        var remaining: UInt64 = 0
        var sawHeader = false
        while !sawHeader || remaining > 0 {
            guard let frame = try waitFrame(max(.zero, ContinuousClock.now.duration(to: deadline))) else {
                isBroken = true
                throw AMQPClientError(
                    .timedOut, "\(endpoint.schemeName) \(endpoint.location) sent a basic.return without its content")
            }
            guard frame.channel == Self.channel else { continue }
            if !sawHeader, frame.frame_type == AMQP_FRAME_HEADER {
                sawHeader = true
                remaining = frame.payload.properties.body_size
                if let decoded = frame.payload.properties.decoded {
                    let properties = decoded.load(as: amqp_basic_properties_t.self)
                    if properties._flags & UInt32(AMQP_BASIC_CORRELATION_ID_FLAG) != 0 {
                        correlationID = string(properties.correlation_id)
                    }
                }
            } else if sawHeader, frame.frame_type == AMQP_FRAME_BODY {
                remaining -= min(remaining, UInt64(frame.payload.body_fragment.len))
            } else {
                isBroken = true
                throw AMQPClientError(
                    .connectionLost,
                    "\(endpoint.schemeName) \(endpoint.location) sent an unexpected frame after a basic.return")
            }
        }
        return correlationID
    }

    /// One frame, or nil after `timeout`. A failed read breaks the connection.
    private func waitFrame(_ timeout: Duration) throws(AMQPClientError) -> amqp_frame_t? {
        var frame = amqp_frame_t()
        var wait = timeval(timeout)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
        if status == AMQP_STATUS_TIMEOUT.rawValue { return nil }
        guard status == AMQP_STATUS_OK.rawValue else {
            isBroken = true
            throw lost(status, while: "waiting for the broker")
        }
        return frame
    }

    private func answerChannelClose() {
        isChannelOpen = false
        var closeOK = amqp_channel_close_ok_t()
        if amqp_send_method(state, Self.channel, Method.channelCloseOK, &closeOK) != AMQP_STATUS_OK.rawValue {
            isBroken = true
        }
    }

    private func answerConnectionClose() {
        isChannelOpen = false
        isBroken = true
        var closeOK = amqp_connection_close_ok_t()
        _ = amqp_send_method(state, 0, Method.connectionCloseOK, &closeOK)
    }

    // MARK: Closing

    /// Closes the connection politely (connection.close also closes its channels), so the broker
    /// does not log an unexpectedly closed connection. Waits at most 5 s (or the operation timeout,
    /// if shorter) for close-ok; errors are ignored: the state is freed in `deinit` either way.
    func close() {
        guard !isBroken else { return }
        var wait = timeval(min(operationTimeout, .seconds(5)))
        amqp_set_rpc_timeout(state, &wait)
        readingFrames { _ = amqp_connection_close(state, Int32(AMQP_REPLY_SUCCESS)) }
        isChannelOpen = false
        isBroken = true
    }

    /// Gives up on the connection without talking to the broker again; `deinit` frees it.
    func abandon() {
        isBroken = true
    }

    // MARK: Shared

    /// Runs `read`, which calls librabbitmq and copies what it needs out of decoded frames, then
    /// lets librabbitmq release the pool memory those frames lived in. The only call to
    /// `amqp_maybe_release_buffers`.
    private func readingFrames<T, E: Error>(_ read: () throws(E) -> T) throws(E) -> T {
        defer { amqp_maybe_release_buffers(state) }
        return try read()
    }

    /// Runs a librabbitmq RPC (which records its reply in the state) and checks that reply: the
    /// broker closing the channel or the connection becomes an error with its reply code, after
    /// the close has been answered.
    private func rpc(_ operation: @autoclosure () -> String, _ call: () -> Void) throws(AMQPClientError) {
        try readingFrames { () throws(AMQPClientError) -> Void in
            call()
            let reply = amqp_get_rpc_reply(state)
            switch reply.reply_type {
            case AMQP_RESPONSE_NORMAL:
                return
            case AMQP_RESPONSE_SERVER_EXCEPTION:
                guard let decoded = reply.reply.decoded else { break }
                if reply.reply.id == Method.channelClose {
                    let close = decoded.load(as: amqp_channel_close_t.self)
                    let text = string(close.reply_text)
                    answerChannelClose()
                    throw AMQPClientError(
                        .channelClosed,
                        "\(operation()) on \(endpoint.schemeName) \(endpoint.location): \(AMQPReplyCode.describe(close.reply_code, text))",
                        replyCode: close.reply_code)
                }
                if reply.reply.id == Method.connectionClose {
                    let close = decoded.load(as: amqp_connection_close_t.self)
                    let text = string(close.reply_text)
                    answerConnectionClose()
                    throw AMQPClientError(
                        .connectionLost,
                        "\(operation()): \(endpoint.schemeName) \(endpoint.location) closed the connection: \(AMQPReplyCode.describe(close.reply_code, text))",
                        replyCode: close.reply_code)
                }
            case AMQP_RESPONSE_LIBRARY_EXCEPTION:
                isBroken = true
                if reply.library_error == AMQP_STATUS_TIMEOUT.rawValue {
                    throw AMQPClientError(
                        .timedOut,
                        "\(operation()): \(endpoint.schemeName) \(endpoint.location) did not answer within \(seconds(operationTimeout))")
                }
                throw AMQPClientError(
                    .connectionLost, "\(operation()): \(lostSentence(reply.library_error))")
            default:
                break
            }
            isBroken = true
            throw AMQPClientError(.connectionLost, "\(operation()): unexpected reply from \(endpoint.schemeName) \(endpoint.location)")
        }
    }

    func lost(_ status: Int32, while doing: String) -> AMQPClientError {
        AMQPClientError(.connectionLost, "\(lostSentence(status)) while \(doing)")
    }

    private func lostSentence(_ status: Int32) -> String {
        if status == AMQP_STATUS_HEARTBEAT_TIMEOUT.rawValue {
            return "connection to \(endpoint.schemeName) \(endpoint.location) lost: no heartbeat from the broker for "
                + "\(2 * endpoint.heartbeat) s"
        }
        return "connection to \(endpoint.schemeName) \(endpoint.location) lost: \(errorString(status))"
    }

    private func string(_ bytes: amqp_bytes_t) -> String {
        guard let start = bytes.bytes, bytes.len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: start, count: bytes.len), as: UTF8.self)
    }
}

/// Method ids (class << 16 | method). librabbitmq's macros are C casts Swift does not import.
enum Method {
    static let connectionClose: amqp_method_number_t = 0x000A_0032
    static let connectionCloseOK: amqp_method_number_t = 0x000A_0033
    static let connectionBlocked: amqp_method_number_t = 0x000A_003C
    static let connectionUnblocked: amqp_method_number_t = 0x000A_003D
    static let channelClose: amqp_method_number_t = 0x0014_0028
    static let channelCloseOK: amqp_method_number_t = 0x0014_0029
    static let basicReturn: amqp_method_number_t = 0x003C_0032
    static let basicGetOK: amqp_method_number_t = 0x003C_0047
    static let basicGetEmpty: amqp_method_number_t = 0x003C_0048
    static let basicAck: amqp_method_number_t = 0x003C_0050
    static let basicNack: amqp_method_number_t = 0x003C_0078
}

extension AMQPEndpoint {
    var schemeName: String { tls == nil ? "amqp" : "amqps" }
}

extension AMQPOutgoingMessage {
    /// `exchange "" with routing key "celery"`.
    var destination: String { "exchange \"\(exchange)\" with routing key \"\(routingKey)\"" }
}

func errorString(_ status: Int32) -> String {
    guard let text = amqp_error_string2(status) else { return "error \(status)" }
    return String(cString: text)
}

func seconds(_ duration: Duration) -> String {
    let (whole, attoseconds) = duration.components
    let milliseconds = attoseconds / 1_000_000_000_000_000
    return milliseconds == 0 ? "\(whole) s" : "\(whole).\(String(milliseconds + 1000).dropFirst()) s"
}

extension timeval {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(max(0, seconds)), tv_usec: Int(max(0, attoseconds) / 1_000_000_000_000))
    }
}
