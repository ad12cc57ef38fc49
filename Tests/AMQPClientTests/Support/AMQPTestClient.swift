@testable import AMQPClient
import CRabbitMQ
import Glibc

/// A message read back with `basic.get`, headers decoded with the tags they had on the wire.
struct ReceivedMessage {
    var exchange: String
    var routingKey: String
    var body: [UInt8]
    var contentType: String?
    var contentEncoding: String?
    var correlationID: String?
    var replyTo: String?
    var expiration: String?
    var deliveryMode: UInt8?
    var priority: UInt8?
    var headers: AMQPFieldTable
    /// Each header's type tag as librabbitmq decoded it (`S`, `I`, `L`...), in wire order.
    var headerTags: [String: Character]
}

/// Test-only: what a worker or an operator does to a broker (declare a queue with arguments, read
/// messages back, delete queues), on its own librabbitmq connection. Plain TCP only.
/// Every wait is bounded by the RPC timeout, so a test fails instead of hanging.
final class AMQPTestClient {
    private let state: amqp_connection_state_t
    private let channel: amqp_channel_t = 1

    init(url: String) throws {
        let endpoint = try AMQPEndpoint(url: url)
        guard let state = amqp_new_connection() else { throw TestClientError("amqp_new_connection failed") }
        self.state = state
        guard let socket = amqp_tcp_socket_new(state) else { throw TestClientError("amqp_tcp_socket_new failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        guard amqp_socket_open_noblock(socket, endpoint.host, Int32(endpoint.port), &timeout) == 0 else {
            throw TestClientError("cannot connect to \(endpoint.hostAndPort)")
        }
        amqp_set_handshake_timeout(state, &timeout)
        amqp_set_rpc_timeout(state, &timeout)
        var noProperties = amqp_table_t(num_entries: 0, entries: nil)
        let login = swiftbeat_amqp_login_plain(
            state, endpoint.virtualHost, 0, 131072, 0, &noProperties, endpoint.user, endpoint.password)
        guard login.reply_type == AMQP_RESPONSE_NORMAL else { throw TestClientError("login failed") }
        try openChannel()
    }

    deinit {
        _ = amqp_channel_close(state, channel, Int32(AMQP_REPLY_SUCCESS))
        _ = amqp_connection_close(state, Int32(AMQP_REPLY_SUCCESS))
        amqp_destroy_connection(state)
    }

    private func openChannel() throws {
        _ = amqp_channel_open(state, channel)
        try check("channel.open")
    }

    /// Throws with the broker's reply if the last RPC failed; reopens the channel it closed.
    private func check(_ what: String) throws {
        let reply = amqp_get_rpc_reply(state)
        defer { amqp_maybe_release_buffers(state) }
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == Method.channelClose:
            let close = reply.reply.decoded!.load(as: amqp_channel_close_t.self)
            let text = String(decoding: UnsafeRawBufferPointer(start: close.reply_text.bytes, count: close.reply_text.len), as: UTF8.self)
            var closeOK = amqp_channel_close_ok_t()
            _ = amqp_send_method(state, channel, Method.channelCloseOK, &closeOK)
            _ = amqp_channel_open(state, channel)
            throw TestClientError("\(what): \(close.reply_code) \(text)", replyCode: close.reply_code)
        default:
            throw TestClientError("\(what) failed: reply type \(reply.reply_type.rawValue), library error \(reply.library_error)")
        }
    }

    /// `queue.declare` as a worker would, with its own arguments. Returns the message count.
    @discardableResult
    func declareQueue(
        _ name: String, passive: Bool = false, durable: Bool = true, autoDelete: Bool = false,
        arguments: AMQPFieldTable = [:]
    ) throws -> UInt32 {
        let pool = AMQPPool()
        let table = try arguments.encoded(in: pool)
        let ok = amqp_queue_declare(
            state, channel, try pool.bytes(name), passive ? 1 : 0, durable ? 1 : 0, 0, autoDelete ? 1 : 0, table)
        let count = ok?.pointee.message_count ?? 0
        try check("queue.declare \(name)")
        return count
    }

    func messageCount(_ queue: String) throws -> UInt32 {
        try declareQueue(queue, passive: true)
    }

    func deleteQueue(_ name: String) {
        let pool = AMQPPool()
        _ = try? amqp_queue_delete(state, channel, pool.bytes(name), 0, 0)
        _ = try? check("queue.delete \(name)")
    }

    func declareExchange(_ name: String, type: String = "direct", autoDelete: Bool = true) throws {
        let pool = AMQPPool()
        _ = amqp_exchange_declare(
            state, channel, try pool.bytes(name), try pool.bytes(type), 0, 0, autoDelete ? 1 : 0, 0,
            amqp_table_t(num_entries: 0, entries: nil))
        try check("exchange.declare \(name)")
    }

    func bindQueue(_ queue: String, to exchange: String, routingKey: String) throws {
        let pool = AMQPPool()
        _ = amqp_queue_bind(
            state, channel, try pool.bytes(queue), try pool.bytes(exchange), try pool.bytes(routingKey),
            amqp_table_t(num_entries: 0, entries: nil))
        try check("queue.bind \(queue)")
    }

    /// `basic.get` with auto-ack; nil when the queue is empty.
    func get(_ queue: String) throws -> ReceivedMessage? {
        let pool = AMQPPool()
        let reply = amqp_basic_get(state, channel, try pool.bytes(queue), 1)
        defer { amqp_maybe_release_buffers(state) }
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else { throw TestClientError("basic.get \(queue) failed") }
        if reply.reply.id == Method.basicGetEmpty { return nil }
        guard reply.reply.id == Method.basicGetOK, let decoded = reply.reply.decoded else {
            throw TestClientError("basic.get \(queue): unexpected method \(reply.reply.id)")
        }
        let ok = decoded.load(as: amqp_basic_get_ok_t.self)
        let exchange = string(ok.exchange)
        let routingKey = string(ok.routing_key)

        let header = try frame()
        guard header.frame_type == AMQP_FRAME_HEADER, let rawProperties = header.payload.properties.decoded else {
            throw TestClientError("basic.get \(queue): expected a content header")
        }
        let properties = rawProperties.load(as: amqp_basic_properties_t.self)
        var body: [UInt8] = []
        while UInt64(body.count) < header.payload.properties.body_size {
            let fragment = try frame()
            guard fragment.frame_type == AMQP_FRAME_BODY else { throw TestClientError("expected a body frame") }
            let bytes = fragment.payload.body_fragment
            body += UnsafeRawBufferPointer(start: bytes.bytes, count: bytes.len)
        }
        let flags = properties._flags
        func has(_ flag: Int32) -> Bool { flags & UInt32(flag) != 0 }
        var tags: [String: Character] = [:]
        let headers = has(AMQP_BASIC_HEADERS_FLAG) ? decode(properties.headers, tags: &tags) : AMQPFieldTable()
        return ReceivedMessage(
            exchange: exchange, routingKey: routingKey, body: body,
            contentType: has(AMQP_BASIC_CONTENT_TYPE_FLAG) ? string(properties.content_type) : nil,
            contentEncoding: has(AMQP_BASIC_CONTENT_ENCODING_FLAG) ? string(properties.content_encoding) : nil,
            correlationID: has(AMQP_BASIC_CORRELATION_ID_FLAG) ? string(properties.correlation_id) : nil,
            replyTo: has(AMQP_BASIC_REPLY_TO_FLAG) ? string(properties.reply_to) : nil,
            expiration: has(AMQP_BASIC_EXPIRATION_FLAG) ? string(properties.expiration) : nil,
            deliveryMode: has(AMQP_BASIC_DELIVERY_MODE_FLAG) ? properties.delivery_mode : nil,
            priority: has(AMQP_BASIC_PRIORITY_FLAG) ? properties.priority : nil,
            headers: headers, headerTags: tags)
    }

    private func frame() throws -> amqp_frame_t {
        var frame = amqp_frame_t()
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &timeout)
        guard status == 0 else { throw TestClientError("reading a frame: \(String(cString: amqp_error_string2(status)))") }
        return frame
    }

    private func string(_ bytes: amqp_bytes_t) -> String {
        guard bytes.len > 0, let start = bytes.bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: start, count: bytes.len), as: UTF8.self)
    }

    private func decode(_ table: amqp_table_t, tags: inout [String: Character]) -> AMQPFieldTable {
        var result = AMQPFieldTable()
        var ignored: [String: Character] = [:]
        for index in 0..<Int(table.num_entries) {
            let entry = table.entries[index]
            let key = string(entry.key)
            tags[key] = Character(UnicodeScalar(entry.value.kind))
            result.entries.append(.init(key: key, value: decode(entry.value, tags: &ignored)))
        }
        return result
    }

    /// librabbitmq's decoded value as an `AMQPFieldValue`; `L` is read as signed, as py-amqp does.
    private func decode(_ value: amqp_field_value_t, tags: inout [String: Character]) -> AMQPFieldValue {
        switch Character(UnicodeScalar(value.kind)) {
        case "S": return .string(string(value.value.bytes))
        case "t": return .bool(value.value.boolean != 0)
        case "I": return .int32(value.value.i32)
        case "L": return .int64(Int64(bitPattern: value.value.u64))
        case "d": return .double(value.value.f64)
        case "V": return .null
        case "A":
            let array = value.value.array
            return .array((0..<Int(array.num_entries)).map { decode(array.entries[$0], tags: &tags) })
        case "F": return .table(decode(value.value.table, tags: &tags))
        default: return .string("<unexpected tag \(Character(UnicodeScalar(value.kind)))>")
        }
    }
}

struct TestClientError: Error, CustomStringConvertible {
    var description: String
    var replyCode: UInt16?
    init(_ description: String, replyCode: UInt16? = nil) {
        self.description = description
        self.replyCode = replyCode
    }
}
