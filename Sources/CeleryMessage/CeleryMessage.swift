public import CivilTime
public import JSON

/// One Celery protocol v2 task message, as Celery 5.x's `send_task` builds it.
///
/// This is the only place that knows Celery's headers, properties, body and their defaults; the
/// brokers only choose an envelope. Defaults follow what a Python worker needs
/// (see research/celery-protocol.md §1): `retries` is the integer 0 because `Task.retry` adds 1
/// to it; `timelimit` is `[hard, soft]`; `eta`/`expires` are ISO 8601 with an offset or null,
/// never an empty string, which crashes workers; the body always carries the embed object
/// because workers call `.get` on it.
public struct CeleryMessage: Sendable {
    /// Where a message goes: a queue, or a named exchange with a routing key.
    public struct Destination: Hashable, Sendable {
        public var queue: String
        /// Empty for the default exchange, which routes by queue name (what Celery itself uses).
        public var exchange: String
        public var routingKey: String
        /// The named exchange's type (`direct`, `topic`, `fanout`): a Redis broker has no exchanges
        /// and must match the bindings the way kombu's exchange type does.
        public var exchangeType: String = "direct"

        /// Exactly these, as a router decided them (`CeleryRouting.Router`).
        public init(queue: String, exchange: String, routingKey: String, exchangeType: String) {
            self.queue = queue
            self.exchange = exchange
            self.routingKey = routingKey
            self.exchangeType = exchangeType
        }

        /// A queue on the default exchange `""`, which routes by queue name and reaches the queue
        /// without any binding: where Celery sends a direct queue's tasks (which destination a
        /// task gets is `CeleryRouting.Router`'s to decide).
        public init(queue: String = "celery") {
            self.init(queue: queue, exchange: "", routingKey: queue, exchangeType: "direct")
        }
    }

    public var task: String
    public var id: String
    public var args: [JSONValue]
    public var kwargs: JSONObject
    public var destination: Destination
    /// Run no earlier than this (Celery's `eta`/`countdown`).
    public var eta: Instant?
    /// Discard (revoke) the task if it has not started by then.
    public var expires: Instant?
    /// The hard time limit in seconds (`time_limit`), sent first in `timelimit`.
    public var timeLimit: JSONNumber?
    public var softTimeLimit: JSONNumber?
    /// 0-255 on AMQP (effective only on queues with `x-max-priority`); kombu's Redis transport uses 0-9.
    public var priority: Int
    /// 2 (persistent, Celery's default `task_default_delivery_mode`) or 1 (transient).
    public var deliveryMode: Int
    /// Headers beyond Celery's own, e.g. `celery_beat_task` and `periodic_task_name`.
    public var extraHeaders: JSONObject
    /// `gen<pid>@<host>`, Celery's `anon_nodename()`.
    public var origin: String
    public var replyTo: String
    public var rootID: String
    public var parentID: String?
    public var group: String?
    public var shadow: String?
    /// Milliseconds until `expires` when the message was built (never negative), sent as the
    /// per-message `expiration` property as Celery 5.2+ does, so RabbitMQ drops it too.
    public var expirationMilliseconds: Int64?

    /// Inlinable: a message is built at every firing, and called from another module this init
    /// copied the whole message once more on its way out (a retain and a release per string).
    @inlinable
    public init(
        task: String,
        id: String,
        args: [JSONValue] = [],
        kwargs: JSONObject = [:],
        destination: Destination = Destination(),
        eta: Instant? = nil,
        expires: Instant? = nil,
        timeLimit: JSONNumber? = nil,
        softTimeLimit: JSONNumber? = nil,
        priority: Int = 0,
        deliveryMode: Int = 2,
        extraHeaders: JSONObject = [:],
        origin: String,
        replyTo: String,
        now: Instant
    ) {
        self.task = task
        self.id = id
        self.args = args
        self.kwargs = kwargs
        self.destination = destination
        self.eta = eta
        self.expires = expires
        self.timeLimit = timeLimit
        self.softTimeLimit = softTimeLimit
        self.priority = priority
        self.deliveryMode = deliveryMode
        self.extraHeaders = extraHeaders
        self.origin = origin
        self.replyTo = replyTo
        self.rootID = id
        self.parentID = nil
        self.group = nil
        self.shadow = nil
        self.expirationMilliseconds = expires.map { max(0, ($0 - now).value / 1000) }
    }

    /// The body: `[args, kwargs, embed]`, serialised as kombu's JSON serializer writes it.
    public var body: [UInt8] {
        var writer = JSONWriter(reservingCapacity: 128)
        writer.beginArray()
        writer.value(.array(args))
        writer.value(.object(kwargs))
        writer.rawValue(Self.emptyEmbed)
        writer.endArray()
        return writer.bytes
    }

    private static let emptyEmbed = Array(#"{"callbacks": null, "errbacks": null, "chain": null, "chord": null}"#.utf8)
}
