public import JSON

/// The Celery settings that decide where a task goes, with Celery 5's defaults
/// (celery/app/defaults.py; `task_default_exchange` and `task_default_routing_key` fall back to the
/// default queue's name, celery/app/utils.py `Settings`).
public struct RoutingSettings: Sendable {
    public var routes = TaskRoutes()
    /// `task_queues` as written: name and kombu `Queue.from_dict` options, in order; nil or empty
    /// means the one default queue.
    public var queues: [(name: String, options: JSONObject)] = []
    public var defaultQueue = "celery"
    public var defaultExchange: String?
    public var defaultExchangeType = "direct"
    public var defaultRoutingKey: String?
    /// Celery applies it to every task the beat's app has registered (the `priority` task attribute
    /// comes from it), beneath the entry's own options.
    public var defaultPriority: Int?
    public var defaultDeliveryMode = 2
    public var createMissingQueues = true
    public var queueMaxPriority: Int?
    /// `classic` or `quorum`: the queue type of the implicit default queue.
    public var defaultQueueType = "classic"
    /// Celery 5.6+: the queue type and exchange type of queues created for names not in `task_queues`.
    public var createMissingQueueType: String?
    public var createMissingQueueExchangeType: String?

    public init() {}

    /// Reads `task_queues`: a mapping from queue name to options (Celery's own mapping form), or a
    /// list of mappings that each have a `name`.
    public static func queues(_ value: JSONValue) throws(RoutingError) -> [(name: String, options: JSONObject)] {
        var queues: [(name: String, options: JSONObject)] = []
        switch value {
        case .null: return []
        case .object(let mapping):
            for member in mapping.members {
                guard let options = member.value.isNull ? [:] : member.value.objectValue else {
                    throw RoutingError("queue \"\(member.key)\" must be a mapping of options, not \(member.value.typeName)")
                }
                queues.append((member.key, options))
            }
        case .array(let items):
            for (index, item) in items.enumerated() {
                guard var options = item.objectValue else {
                    throw RoutingError("item \(index + 1) must be a mapping with a name, not \(item.typeName)")
                }
                guard let name = options["name"]?.stringValue, !name.isEmpty else {
                    throw RoutingError("item \(index + 1) has no name")
                }
                options["name"] = nil
                queues.append((name, options))
            }
        default:
            throw RoutingError("expected a mapping from queue name to options, or a list of queues, not \(value.typeName)")
        }
        for (name, options) in queues {
            do {
                try QueueTable.check(options)
            } catch {
                throw RoutingError("queue \"\(name)\": \(error.description)")
            }
        }
        return queues
    }
}
