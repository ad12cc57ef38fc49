public import JSON

/// A queue as Celery resolves it for routing (kombu's `Queue` after Celery's `Queues` has filled in
/// the defaults): its exchange, the routing key it is bound with, and the arguments a producer
/// declares it with.
public struct QueueDefinition: Equatable, Sendable {
    public var name: String
    public var exchange: Exchange
    public var routingKey: String
    /// `queue_arguments`, e.g. `{"x-max-priority": 10}` or `{"x-queue-type": "quorum"}`.
    public var arguments: JSONObject

    public init(name: String, exchange: Exchange, routingKey: String, arguments: JSONObject = [:]) {
        self.name = name
        self.exchange = exchange
        self.routingKey = routingKey
        self.arguments = arguments
    }

    /// kombu's `Exchange`, as far as routing reads it.
    public struct Exchange: Equatable, Sendable {
        /// Empty for the default exchange.
        public var name: String
        /// `direct`, `topic`, `fanout` or `headers`.
        public var type: String
        /// 1 (transient) or 2 (persistent); nil leaves it to `task_default_delivery_mode`.
        public var deliveryMode: Int?

        public init(name: String, type: String = "direct", deliveryMode: Int? = nil) {
            self.name = name
            self.type = type
            self.deliveryMode = deliveryMode
        }
    }
}
