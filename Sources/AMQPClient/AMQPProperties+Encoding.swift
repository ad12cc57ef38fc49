internal import CRabbitMQ

extension AMQPProperties {
    /// The properties as librabbitmq's `amqp_basic_properties_t`, strings and headers in `pool`.
    func encoded(in pool: AMQPPool) throws(AMQPEncodingError) -> amqp_basic_properties_t {
        var properties = amqp_basic_properties_t()
        var flags: UInt32 = 0
        func shortString(_ value: String?, _ name: String, _ flag: Int32) throws(AMQPEncodingError) -> amqp_bytes_t {
            guard let value else { return amqp_bytes_t(len: 0, bytes: nil) }
            guard value.utf8.count <= 255 else { throw AMQPEncodingError("the \(name) property is longer than 255 bytes") }
            flags |= UInt32(flag)
            return try pool.bytes(value)
        }
        properties.content_type = try shortString(contentType, "content type", AMQP_BASIC_CONTENT_TYPE_FLAG)
        properties.content_encoding = try shortString(
            contentEncoding, "content encoding", AMQP_BASIC_CONTENT_ENCODING_FLAG)
        properties.correlation_id = try shortString(correlationID, "correlation id", AMQP_BASIC_CORRELATION_ID_FLAG)
        properties.reply_to = try shortString(replyTo, "reply to", AMQP_BASIC_REPLY_TO_FLAG)
        properties.expiration = try shortString(expiration, "expiration", AMQP_BASIC_EXPIRATION_FLAG)
        if let deliveryMode {
            properties.delivery_mode = deliveryMode.rawValue
            flags |= UInt32(AMQP_BASIC_DELIVERY_MODE_FLAG)
        }
        if let priority {
            properties.priority = priority
            flags |= UInt32(AMQP_BASIC_PRIORITY_FLAG)
        }
        if !headers.isEmpty {
            properties.headers = try headers.encoded(in: pool)
            flags |= UInt32(AMQP_BASIC_HEADERS_FLAG)
        }
        properties._flags = flags
        return properties
    }
}

extension AMQPOutgoingMessage {
    /// Checks, before anything of a batch is sent, what the encoder would reject, so a bad message
    /// never leaves a batch half published.
    func validate() throws(AMQPEncodingError) {
        guard exchange.utf8.count <= 255 else { throw AMQPEncodingError("the exchange name is longer than 255 bytes") }
        guard routingKey.utf8.count <= 255 else { throw AMQPEncodingError("the routing key is longer than 255 bytes") }
        for (name, value) in [
            ("content type", properties.contentType), ("content encoding", properties.contentEncoding),
            ("correlation id", properties.correlationID), ("reply to", properties.replyTo),
            ("expiration", properties.expiration),
        ] {
            if let value, value.utf8.count > 255 { throw AMQPEncodingError("the \(name) property is longer than 255 bytes") }
        }
        try properties.headers.validate()
    }
}

extension AMQPFieldTable {
    func validate() throws(AMQPEncodingError) {
        for entry in entries {
            guard entry.key.utf8.count <= 255 else {
                throw AMQPEncodingError("the header key \"\(entry.key.prefix(40))...\" is longer than 255 bytes")
            }
            try entry.value.validate()
        }
    }
}

extension AMQPFieldValue {
    func validate() throws(AMQPEncodingError) {
        switch self {
        case .array(let values): for value in values { try value.validate() }
        case .table(let table): try table.validate()
        case .string, .bool, .int32, .int64, .double, .null: break
        }
    }
}
