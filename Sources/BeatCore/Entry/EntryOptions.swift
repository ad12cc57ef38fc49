public import CeleryRouting
public import CivilTime
public import JSON

/// What an entry says about how its task is sent: Celery's `apply_async` options that a beat entry
/// may carry (celery/beat.py passes `entry.options` straight through).
public struct EntryOptions: Equatable, Sendable {
    /// When a task expires: a number of seconds after it is sent, or a fixed instant.
    public enum Expiry: Equatable, Sendable {
        case after(seconds: Double)
        case at(Instant)

        public func instant(sentAt now: Instant) -> Instant {
            switch self {
            case .after(let seconds): now + Microseconds(Int64((seconds * 1_000_000).rounded()))
            case .at(let instant): instant
            }
        }
    }

    public var queue: String?
    public var exchange: String?
    public var routingKey: String?
    public var priority: Int?
    public var expires: Expiry?
    /// Extra message headers; the scheduler adds `celery_beat_task` and `periodic_task_name`.
    public var headers: JSONObject = [:]
    public var timeLimit: JSONNumber?
    public var softTimeLimit: JSONNumber?
    /// Seconds after the firing the worker should wait before running it (becomes `eta`).
    public var countdown: Double?
    /// 1 (transient) or 2 (persistent); nil leaves it to routing.
    public var deliveryMode: Int?
    public var exchangeType: String?

    public init() {}

    /// The names this decoder understands; others are kept in Redis but not used.
    static let knownNames: Set<String> = [
        "queue", "exchange", "routing_key", "priority", "expires", "headers", "time_limit", "soft_time_limit", "countdown",
        "delivery_mode", "exchange_type",
    ]

    /// What routing reads (`CeleryRouting.Router`): the entry's own queue, exchange, routing key,
    /// exchange type, priority and delivery mode, over any route and the defaults.
    public var routing: RoutingOptions {
        RoutingOptions(
            queue: queue, exchange: exchange, routingKey: routingKey, exchangeType: exchangeType, priority: priority,
            deliveryMode: deliveryMode)
    }

    /// Whether any option routing reads is given (most entries give none).
    public var hasRoutingOptions: Bool {
        queue != nil || exchange != nil || routingKey != nil || exchangeType != nil || priority != nil || deliveryMode != nil
    }

    /// These options over `lower`, a route's other options (Celery merges the route under the
    /// explicit options): each option the entry does not give is the route's.
    public func merged(over lower: EntryOptions) -> EntryOptions {
        var merged = self
        merged.expires = expires ?? lower.expires
        if headers.isEmpty { merged.headers = lower.headers }
        merged.timeLimit = timeLimit ?? lower.timeLimit
        merged.softTimeLimit = softTimeLimit ?? lower.softTimeLimit
        merged.countdown = countdown ?? lower.countdown
        return merged
    }

    /// The options of a route or any other options mapping, read as an entry's are.
    public init(reading object: JSONObject) throws(RoutingError) {
        self.init()
        do {
            try read(from: object)
        } catch {
            throw RoutingError(error.reason)
        }
    }

    /// Reads options from `object`, which is either the entry's `options` or, for the legacy format,
    /// the entry itself (where only queue, exchange, routing_key and expires lived).
    mutating func read(from object: JSONObject, names: Set<String> = EntryOptions.knownNames) throws(OptionError) {
        for member in object.members where names.contains(member.key) {
            let value = member.value
            if value.isNull { continue }
            switch member.key {
            case "queue": queue = try string(value, member.key)
            case "exchange": exchange = try string(value, member.key)
            case "routing_key": routingKey = try string(value, member.key)
            case "priority":
                guard let number = value.numberValue?.int64Value, (0...255).contains(number) else {
                    throw OptionError("priority must be an integer 0-255, not \(JSONWriter.string(value))")
                }
                priority = Int(number)
            case "expires":
                if let number = value.numberValue {
                    guard number.doubleValue.isFinite else { throw OptionError("expires must be a finite number of seconds") }
                    expires = .after(seconds: number.doubleValue)
                } else if let text = value.stringValue, let parsed = try? ISO8601.parse(text) {
                    expires = .at(parsed.instantAssumingUTC)
                } else {
                    throw OptionError("expires must be a number of seconds or an ISO 8601 time, not \(JSONWriter.string(value))")
                }
            case "headers":
                guard let object = value.objectValue else { throw OptionError("headers must be an object, not \(value.typeName)") }
                headers = object
            case "time_limit": timeLimit = try seconds(value, member.key)
            case "soft_time_limit": softTimeLimit = try seconds(value, member.key)
            case "countdown": countdown = try seconds(value, member.key).doubleValue
            case "exchange_type": exchangeType = try string(value, member.key)
            case "delivery_mode":
                do {
                    deliveryMode = try RoutingOptions.deliveryMode(value, name: member.key)
                } catch {
                    throw OptionError(error.description)
                }
            default: break
            }
        }
    }

    private func string(_ value: JSONValue, _ name: String) throws(OptionError) -> String {
        guard let string = value.stringValue else { throw OptionError("\(name) must be a string, not \(value.typeName)") }
        return string
    }

    private func seconds(_ value: JSONValue, _ name: String) throws(OptionError) -> JSONNumber {
        guard let number = value.numberValue, number.doubleValue.isFinite, number.doubleValue >= 0 else {
            throw OptionError("\(name) must be a non-negative number of seconds, not \(JSONWriter.string(value))")
        }
        return number
    }
}

struct OptionError: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
