public import JSON

/// Where a task goes, decided as Celery 5 decides it for `task.apply_async(args, kwargs, **options)`
/// (celery/app/routes.py `Router.route`, then celery/app/amqp.py `send_task_message`):
///
/// 1. The entry's own options win; a route found in `task_routes` fills in what they leave out;
///    without a route (or with an empty one) and without a queue of its own, the task goes to
///    `task_default_queue`. A queue name becomes its `task_queues` definition (or the queue Celery
///    creates for a missing name), and a name that is neither is Celery's `QueueNotFound`.
/// 2. Publishing: unless both an exchange and a routing key are set, a task for a direct exchange
///    goes to the default exchange `""` with the queue's name as routing key; for a topic or fanout
///    queue it goes to the queue's exchange with the queue's binding key.
///
/// swiftbeat sends as Python beat sends a task its app has registered, with no routing attributes
/// on the task class: `task_default_priority` is then one of the options (beneath the entry's own,
/// and over a route's priority, as in Celery).
public struct Router: Sendable {
    let settings: RoutingSettings
    let queues: QueueTable

    public init(_ settings: RoutingSettings = RoutingSettings()) throws(RoutingError) {
        self.settings = settings
        queues = try QueueTable(settings)
    }

    /// Celery's routing with no settings: everything to the queue `celery`.
    public static let celeryDefaults: Router = {
        do {
            return try Router()
        } catch {
            // Only configured task_queues are read in `init`, and the defaults have none.
            preconditionFailure("Celery's default routing settings cannot fail: \(error)")
        }
    }()

    public var defaultQueue: String { settings.defaultQueue }

    /// Whether `task_routes` has any route: without one, a task's name never changes its route.
    public var hasRoutes: Bool { !settings.routes.isEmpty }

    /// The arguments a producer declares queue `name` with (`queue_arguments`, `x-max-priority` from
    /// `task_queue_max_priority`, `x-queue-type` for quorum queues): none for a name Celery would refuse.
    public func queueArguments(for name: String) -> JSONObject {
        (try? queues.queue(named: name))?.arguments ?? [:]
    }

    /// What a user should know about these settings before they run: where Celery versions differ.
    public var notes: [String] {
        guard !settings.createMissingQueues, !settings.queues.isEmpty, (try? queues.queue(named: settings.defaultQueue)) == nil else {
            return []
        }
        return [
            "task_default_queue \"\(settings.defaultQueue)\" is not in task_queues and task_create_missing_queues is off: "
                + "a task routed nowhere else cannot be sent (Celery 5.7 refuses those tasks too; Celery 5.3 refuses every task)"
        ]
    }

    public func route(task: String, options: RoutingOptions) throws(RoutingError) -> RoutedTask {
        var explicit = options
        if explicit.priority == nil { explicit.priority = settings.defaultPriority }
        // `expand_destination(options)`: the entry's queue, looked up first.
        let ownQueue = try queueOption(explicit.queue)
        var merged = explicit
        var queue = ownQueue
        var passedOptions: JSONObject = [:]
        if let route = settings.routes.route(for: task), !route.isEmpty {
            // A route's queue is looked up even when the entry's own queue overrides it.
            let routeOptions = try RoutingOptions(reading: route)
            let routeQueue = try queueOption(routeOptions.queue)
            merged = explicit.merged(over: routeOptions)
            queue = ownQueue ?? routeQueue
            for member in route.members where !RoutingOptions.names.contains(member.key) {
                passedOptions[member.key] = member.value
            }
        } else if ownQueue == nil {
            queue = try queues.queue(named: settings.defaultQueue)
        }
        return try publish(queue: queue, options: merged, passedOptions: passedOptions)
    }

    /// A queue option as `expand_destination` reads it: an empty name is no queue.
    private func queueOption(_ name: String?) throws(RoutingError) -> QueueDefinition? {
        guard let name, !name.isEmpty else { return nil }
        return try queues.queue(named: name)
    }

    /// `send_task_message`: the exchange, routing key and delivery mode of the publish.
    private func publish(queue routed: QueueDefinition?, options: RoutingOptions, passedOptions: JSONObject) throws(RoutingError) -> RoutedTask {
        var queue = routed
        if queue == nil, options.exchange == nil {
            queue = try queues.queue(named: settings.defaultQueue)
        }
        let deliveryMode = options.deliveryMode ?? queue?.exchange.deliveryMode ?? settings.defaultDeliveryMode
        let exchangeType = options.exchangeType ?? queue?.exchange.type ?? "direct"
        var exchange = options.exchange
        var routingKey = options.routingKey
        if (exchange ?? "").isEmpty || (routingKey ?? "").isEmpty, exchangeType == "direct" {
            exchange = ""
            routingKey = queue?.name
        } else if exchange == nil, let queue {
            exchange = queue.exchange.name.isEmpty ? queues.defaultExchange.name : queue.exchange.name
            routingKey = [routingKey, queue.routingKey, queues.defaultRoutingKey].lazy.compactMap { $0 }.first { !$0.isEmpty }
        }
        return RoutedTask(
            queue: queue, exchange: exchange ?? "", exchangeType: exchangeType, routingKey: routingKey,
            priority: options.priority ?? 0, deliveryMode: deliveryMode, passedOptions: passedOptions)
    }
}

/// What routing decided for one message.
public struct RoutedTask: Equatable, Sendable {
    /// The queue Celery would declare before publishing; nil when the task goes to an exchange only.
    public var queue: QueueDefinition?
    /// Empty for the default exchange, where the routing key is the queue's name.
    public var exchange: String
    public var exchangeType: String
    /// Nil when Celery would publish without one (an exchange option without a queue).
    public var routingKey: String?
    public var priority: Int
    public var deliveryMode: Int
    /// The route's options other than the routing ones (e.g. `expires`), for the message; the
    /// entry's own options win over them.
    public var passedOptions: JSONObject
}
