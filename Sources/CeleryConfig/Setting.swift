/// A setting swiftbeat reads: its name in a config file and the environment variables that can
/// give it, first one first.
///
/// Celery's settings keep Celery's lowercase name (a file may also use the old uppercase one) and
/// take `CELERY_` + the name in capitals from the environment; celerybeat-redis's settings keep
/// their uppercase name in both; swiftbeat's own have lowercase names and `SWIFTBEAT_` variables.
public struct Setting: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let environment: [String]

    init(_ name: String, environment: [String]? = nil) {
        self.name = name
        self.environment = environment ?? [Self.variable(celerySetting: name)]
    }

    static func variable(celerySetting name: String) -> String {
        name.hasPrefix("CELERY") ? name : "CELERY_" + name.uppercased()
    }

    static func swiftbeat(_ name: String) -> Setting {
        Setting(name, environment: ["SWIFTBEAT_" + name.uppercased()])
    }

    public var description: String { name }

    // Where things are.
    public static let brokerURL = Setting("broker_url", environment: ["CELERY_BROKER_URL", "BROKER_URL"])
    public static let brokerTransportOptions = Setting("broker_transport_options")
    /// TLS for a Redis broker: `true` or redis-py's `ssl_*` options.
    public static let brokerUseSSL = Setting("broker_use_ssl")
    /// The same for the scheduler's Redis.
    public static let schedulerUseSSL = Setting("CELERY_REDIS_SCHEDULER_USE_SSL")
    public static let schedulerURL = Setting("CELERY_REDIS_SCHEDULER_URL")
    public static let keyPrefix = Setting("CELERY_REDIS_SCHEDULER_KEY_PREFIX")
    /// kombu's Sentinel options (`master_name`, `sentinel_kwargs`) for the scheduler's Redis.
    public static let schedulerTransportOptions = Setting("CELERY_REDIS_SCHEDULER_TRANSPORT_OPTIONS")
    /// `WAIT numreplicas timeout` after each commit (README, "Redis over TLS and behind Sentinel").
    public static let schedulerWaitReplicas = Setting("CELERY_REDIS_SCHEDULER_WAIT_REPLICAS")
    public static let schedulerWaitTimeout = Setting("CELERY_REDIS_SCHEDULER_WAIT_TIMEOUT")
    public static let lockKey = Setting("CELERY_REDIS_SCHEDULER_LOCK_KEY")
    public static let lockTTL = Setting("CELERY_REDIS_SCHEDULER_LOCK_TTL")
    public static let timezone = Setting("timezone")
    /// `run --store`: celerybeat-redis or redbeat.
    public static let store = Setting.swiftbeat("store")
    // RedBeat's own (`RedBeatConfig`), read by `run --store redbeat`.
    public static let redbeatKeyPrefix = Setting("redbeat_key_prefix")
    public static let redbeatLockKey = Setting("redbeat_lock_key")
    public static let redbeatLockTimeout = Setting("redbeat_lock_timeout")

    // The beat.
    public static let beatSchedule = Setting("beat_schedule")
    public static let beatMaxLoopInterval = Setting("beat_max_loop_interval")
    public static let beatCronStartingDeadline = Setting("beat_cron_starting_deadline")
    public static let reloadInterval = Setting.swiftbeat("reload_interval")
    public static let standbyRetry = Setting.swiftbeat("standby_retry")
    /// `run --enable-keyspace-events`: the beat may turn the server's keyspace notifications on.
    public static let enableKeyspaceEvents = Setting.swiftbeat("enable_keyspace_events")
    public static let logLevel = Setting.swiftbeat("log_level")
    public static let logFormat = Setting.swiftbeat("log_format")
    /// `run --http`: where the metrics, health and status endpoints listen.
    public static let http = Setting.swiftbeat("http")

    // Routing (celery/app/defaults.py, the `task` namespace).
    public static let taskRoutes = Setting("task_routes")
    public static let taskQueues = Setting("task_queues")
    public static let taskDefaultQueue = Setting("task_default_queue")
    public static let taskDefaultExchange = Setting("task_default_exchange")
    public static let taskDefaultExchangeType = Setting("task_default_exchange_type")
    public static let taskDefaultRoutingKey = Setting("task_default_routing_key")
    public static let taskDefaultPriority = Setting("task_default_priority")
    public static let taskDefaultDeliveryMode = Setting("task_default_delivery_mode")
    public static let taskCreateMissingQueues = Setting("task_create_missing_queues")
    public static let taskQueueMaxPriority = Setting("task_queue_max_priority")
    public static let taskDefaultQueueType = Setting("task_default_queue_type")
    public static let taskCreateMissingQueueType = Setting("task_create_missing_queue_type")
    public static let taskCreateMissingQueueExchangeType = Setting("task_create_missing_queue_exchange_type")

    /// Every setting swiftbeat reads; a Celery setting not here is reported as ignored.
    public static let used: [Setting] = [
        .brokerURL, .brokerTransportOptions, .brokerUseSSL, .schedulerUseSSL, .schedulerURL, .keyPrefix, .schedulerTransportOptions, .schedulerWaitReplicas,
        .schedulerWaitTimeout, .lockKey, .lockTTL, .timezone,
        .store, .redbeatKeyPrefix, .redbeatLockKey, .redbeatLockTimeout,
        .beatSchedule, .beatMaxLoopInterval, .beatCronStartingDeadline, .reloadInterval, .enableKeyspaceEvents, .standbyRetry, .logLevel, .logFormat, .http,
        .taskRoutes, .taskQueues, .taskDefaultQueue, .taskDefaultExchange, .taskDefaultExchangeType,
        .taskDefaultRoutingKey, .taskDefaultPriority, .taskDefaultDeliveryMode, .taskCreateMissingQueues,
        .taskQueueMaxPriority, .taskDefaultQueueType, .taskCreateMissingQueueType, .taskCreateMissingQueueExchangeType,
    ]
}
