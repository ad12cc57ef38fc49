/// The basic-class properties swiftbeat sends (the ones Celery reads); unset ones are left out of
/// the frame.
public struct AMQPProperties: Sendable, Equatable {
    public enum DeliveryMode: UInt8, Sendable {
        /// Lost if the broker restarts.
        case transient = 1
        /// Written to disk by the broker when the queue is durable; Celery's default.
        case persistent = 2
    }

    public var contentType: String?
    public var contentEncoding: String?
    public var correlationID: String?
    public var replyTo: String?
    public var deliveryMode: DeliveryMode?
    /// 0...255; RabbitMQ honours it only on queues declared with `x-max-priority`.
    public var priority: UInt8?
    /// Per-message TTL in milliseconds, as a decimal string (`"60000"`), as AMQP defines it.
    public var expiration: String?
    /// `application_headers`: where Celery's protocol v2 puts `task`, `id` and the rest.
    public var headers: AMQPFieldTable

    public init(
        contentType: String? = nil, contentEncoding: String? = nil, correlationID: String? = nil,
        replyTo: String? = nil, deliveryMode: DeliveryMode? = nil, priority: UInt8? = nil,
        expiration: String? = nil, headers: AMQPFieldTable = AMQPFieldTable()
    ) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.expiration = expiration
        self.headers = headers
    }
}

/// One `basic.publish`: where it goes, its properties and its body.
public struct AMQPOutgoingMessage: Sendable, Equatable {
    /// `""` is the default exchange, which routes by queue name.
    public var exchange: String
    public var routingKey: String
    public var body: [UInt8]
    public var properties: AMQPProperties
    /// Ask the broker to return the message (`basic.return`) when no queue takes it. The connection
    /// turns a return into an error, so an unroutable message is never silently dropped.
    public var mandatory: Bool

    public init(
        exchange: String = "", routingKey: String, body: [UInt8], properties: AMQPProperties = AMQPProperties(),
        mandatory: Bool = true
    ) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.properties = properties
        self.mandatory = mandatory
    }
}
