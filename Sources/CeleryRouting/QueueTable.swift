import JSON

/// Celery's `app.amqp.queues` (celery/app/amqp.py `Queues`): the configured queues with the defaults
/// Celery fills in, and the queue it creates for any other name when `task_create_missing_queues`
/// is on.
struct QueueTable: Sendable {
    private var queues: [String: QueueDefinition] = [:]
    private let settings: RoutingSettings
    /// Celery's `default_exchange`: `task_default_exchange` (else the default queue's name) of
    /// `task_default_exchange_type`.
    let defaultExchange: QueueDefinition.Exchange
    let defaultRoutingKey: String

    init(_ settings: RoutingSettings) throws(RoutingError) {
        self.settings = settings
        defaultExchange = .init(name: settings.defaultExchange ?? settings.defaultQueue, type: settings.defaultExchangeType)
        defaultRoutingKey = settings.defaultRoutingKey ?? settings.defaultQueue
        if settings.queues.isEmpty {
            let arguments: JSONObject = settings.defaultQueueType == "quorum" ? ["x-queue-type": .string("quorum")] : [:]
            add(QueueDefinition(name: settings.defaultQueue, exchange: defaultExchange, routingKey: defaultRoutingKey, arguments: arguments))
        }
        for (name, options) in settings.queues {
            add(try Self.queue(name: name, options: options))
        }
    }

    /// `Queues.add_compat` and kombu's `Queue.from_dict`: the binding key is `binding_key`, else
    /// `routing_key`, else the queue's name; an exchange without a name is filled in by `add`.
    static func queue(name: String, options: JSONObject) throws(RoutingError) -> QueueDefinition {
        try check(options)
        func text(_ key: String) -> String? { options[key]?.stringValue }
        var routingKey = options["routing_key"].map { $0.isNull ? name : ($0.stringValue ?? name) } ?? text("binding_key") ?? name
        if let binding = text("binding_key"), !binding.isEmpty { routingKey = binding }
        let deliveryMode = try options["delivery_mode"].flatMap { value throws(RoutingError) in
            value.isNull ? nil : try RoutingOptions.deliveryMode(value, name: "delivery_mode")
        }
        return QueueDefinition(
            name: name,
            exchange: .init(name: text("exchange") ?? "", type: text("exchange_type") ?? "direct", deliveryMode: deliveryMode),
            routingKey: routingKey, arguments: options["queue_arguments"]?.objectValue ?? [:])
    }

    /// The types of a queue's options, checked once when the settings are read.
    static func check(_ options: JSONObject) throws(RoutingError) {
        for key in ["exchange", "exchange_type", "routing_key", "binding_key"] {
            if let value = options[key], !value.isNull, value.stringValue == nil {
                throw RoutingError("\(key) must be a string, not \(value.typeName)")
            }
        }
        if let value = options["queue_arguments"], !value.isNull, value.objectValue == nil {
            throw RoutingError("queue_arguments must be a mapping, not \(value.typeName)")
        }
        if let value = options["delivery_mode"], !value.isNull {
            _ = try RoutingOptions.deliveryMode(value, name: "delivery_mode")
        }
    }

    /// `Queues._add` and `__setitem__`: a queue without an exchange name gets the default exchange,
    /// one without a routing key the default routing key, and every queue `x-max-priority` when
    /// `task_queue_max_priority` is set and it has none.
    private mutating func add(_ queue: QueueDefinition) {
        queues[queue.name] = completed(queue)
    }

    private func completed(_ queue: QueueDefinition) -> QueueDefinition {
        var queue = queue
        if queue.exchange.name.isEmpty { queue.exchange = defaultExchange }
        if queue.routingKey.isEmpty { queue.routingKey = defaultRoutingKey }
        if let maximum = settings.queueMaxPriority, queue.arguments["x-max-priority"] == nil {
            queue.arguments["x-max-priority"] = .integer(maximum)
        }
        return queue
    }

    /// `queues[name]`: the configured queue, else the one `Queues.new_missing` creates (an exchange
    /// of the queue's own name, the name as routing key), else Celery's `QueueNotFound`.
    func queue(named name: String) throws(RoutingError) -> QueueDefinition {
        if let queue = queues[name] { return queue }
        guard settings.createMissingQueues else { throw .queueNotFound(name) }
        var arguments: JSONObject = [:]
        if let type = settings.createMissingQueueType, type != "classic" {
            guard type == "quorum" else { throw RoutingError("invalid queue type \"\(type)\"; valid types are classic and quorum") }
            arguments["x-queue-type"] = .string(type)
        }
        let exchange = QueueDefinition.Exchange(name: name, type: settings.createMissingQueueExchangeType ?? "direct")
        return completed(QueueDefinition(name: name, exchange: exchange, routingKey: name, arguments: arguments))
    }
}
