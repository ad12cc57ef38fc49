public import JSON

/// The `apply_async` options that decide where a message goes: what an entry's `options` or a
/// route says. Nil means "not given", so that the next source down (a route, then the defaults)
/// decides, as Celery's `lpmerge` does, which keeps a value unless the one over it is `None`.
public struct RoutingOptions: Equatable, Sendable {
    public var queue: String?
    public var exchange: String?
    public var routingKey: String?
    public var exchangeType: String?
    public var priority: Int?
    /// 1 (transient) or 2 (persistent).
    public var deliveryMode: Int?

    public init(
        queue: String? = nil, exchange: String? = nil, routingKey: String? = nil, exchangeType: String? = nil,
        priority: Int? = nil, deliveryMode: Int? = nil
    ) {
        self.queue = queue
        self.exchange = exchange
        self.routingKey = routingKey
        self.exchangeType = exchangeType
        self.priority = priority
        self.deliveryMode = deliveryMode
    }

    /// The option names routing reads; every other option of a route is passed to the message.
    public static let names: Set<String> = ["queue", "exchange", "routing_key", "exchange_type", "priority", "delivery_mode"]

    /// Reads the routing options of an options mapping (an entry's `options`, or a route), checking
    /// their types; null is "not given".
    public init(reading object: JSONObject) throws(RoutingError) {
        self.init()
        for member in object.members where Self.names.contains(member.key) && !member.value.isNull {
            let value = member.value
            switch member.key {
            case "queue": queue = try Self.string(value, member.key)
            case "exchange": exchange = try Self.string(value, member.key)
            case "routing_key": routingKey = try Self.string(value, member.key)
            case "exchange_type": exchangeType = try Self.string(value, member.key)
            case "priority":
                guard let number = value.numberValue?.int64Value, (0...255).contains(number) else {
                    throw RoutingError("priority must be an integer 0-255, not \(JSONWriter.string(value))")
                }
                priority = Int(number)
            default: deliveryMode = try Self.deliveryMode(value, name: member.key)
            }
        }
    }

    /// `self` over `lower`: each value of `self`, else the one of `lower` (Celery's `lpmerge`).
    public func merged(over lower: RoutingOptions) -> RoutingOptions {
        RoutingOptions(
            queue: queue ?? lower.queue, exchange: exchange ?? lower.exchange, routingKey: routingKey ?? lower.routingKey,
            exchangeType: exchangeType ?? lower.exchangeType, priority: priority ?? lower.priority,
            deliveryMode: deliveryMode ?? lower.deliveryMode)
    }

    /// kombu's delivery modes: 1 or `"transient"`, 2 or `"persistent"`.
    public static func deliveryMode(_ value: JSONValue, name: String) throws(RoutingError) -> Int {
        switch value {
        case .string("transient"): return 1
        case .string("persistent"): return 2
        default:
            guard let number = value.numberValue?.int64Value, number == 1 || number == 2 else {
                throw RoutingError("\(name) must be 1, 2, \"transient\" or \"persistent\", not \(JSONWriter.string(value))")
            }
            return Int(number)
        }
    }

    static func string(_ value: JSONValue, _ name: String) throws(RoutingError) -> String {
        guard let string = value.stringValue else { throw RoutingError("\(name) must be a string, not \(value.typeName)") }
        return string
    }
}
