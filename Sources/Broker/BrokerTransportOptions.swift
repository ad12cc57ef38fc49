import JSON

/// kombu's `broker_transport_options` that change where a producer's messages land.
///
/// A producer has to agree with the workers on these, so they take the same names and JSON shape
/// as in a Celery configuration: `{"global_keyprefix": "app:", "priority_steps": [0, 3, 6, 9], "sep": ":"}`.
public struct BrokerTransportOptions: Sendable, Equatable {
    public var globalKeyPrefix: String = ""
    public var prioritySteps: [Int] = KombuRedisEnvelope.defaultPrioritySteps
    public var prioritySeparator: String = KombuRedisEnvelope.defaultPrioritySeparator
    /// `master_name` and `sentinel_kwargs`, for a `sentinel://` broker URL.
    public var sentinel = SentinelTransportOptions()

    public init() {}

    /// Parses the JSON object; unknown options are ignored, as kombu ignores those of other transports.
    public init(json text: String) throws(BrokerError) {
        let object = try Self.object(json: text, what: "broker transport options")
        sentinel = try SentinelTransportOptions(object: object, what: "broker transport options")
        if let prefix = object["global_keyprefix"] {
            guard let prefix = prefix.stringValue else {
                throw BrokerError(.configuration, "broker transport option global_keyprefix must be a string")
            }
            globalKeyPrefix = prefix
        }
        if let steps = object["priority_steps"] {
            let numbers = steps.arrayValue?.compactMap { $0.numberValue?.int64Value }
            guard let numbers, numbers.count == steps.arrayValue?.count, !numbers.isEmpty,
                numbers.allSatisfy({ (0...255).contains($0) })
            else {
                throw BrokerError(.configuration, "broker transport option priority_steps must be a list of integers 0-255")
            }
            prioritySteps = numbers.map { Int($0) }.sorted()
        }
        if let separator = object["sep"] {
            guard let separator = separator.stringValue else {
                throw BrokerError(.configuration, "broker transport option sep must be a string")
            }
            prioritySeparator = separator
        }
    }

    /// The JSON object of a transport options text, as kombu takes them: anything else is refused,
    /// naming `what` (whose options they are).
    static func object(json text: String, what: String) throws(BrokerError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw BrokerError(.configuration, "\(what): \(error)")
        }
        guard let object = value.objectValue else {
            throw BrokerError(.configuration, "\(what) must be a JSON object, not \(value.typeName)")
        }
        return object
    }

    public var envelope: KombuRedisEnvelope {
        KombuRedisEnvelope(prioritySteps: prioritySteps, separator: prioritySeparator, globalKeyPrefix: globalKeyPrefix)
    }
}
