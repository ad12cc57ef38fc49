public import Broker
public import CeleryRouting
public import CivilTime
public import RedisClient

/// Everything `run` needs, resolved and checked once by the command line.
public struct RunnerConfiguration: Sendable {
    /// The Redis holding the entries and the lock.
    public var scheduler: RedisConfiguration
    public var broker: BrokerURL
    public var brokerOptions: BrokerTransportOptions
    /// Where each firing goes: Celery's routing with the config's task_routes, task_queues and defaults.
    public var router: Router
    /// Whose format the entries are in.
    public var store: StoreKind
    /// Entries are the keys `<keyPrefix><name>`.
    public var keyPrefix: String
    /// The zone crontabs are read in.
    public var zone: TimeZoneRules
    /// The longest the loop sleeps, so a wall-clock jump or a missed notification is noticed.
    public var maxInterval: Duration
    /// How often every entry is re-read to find raw edits made with redis-cli, unless keyspace
    /// notifications tell of them (then every `fullReloadInterval`).
    public var reloadInterval: Duration
    /// `--enable-keyspace-events`: turn the server's keyspace notifications on (`CONFIG SET`) when
    /// they do not cover entry edits, so that an idle beat need not re-read every entry.
    public var enableKeyspaceEvents: Bool
    /// How often every entry is still re-read while keyspace notifications cover edits: for
    /// what they cannot tell (FLUSHDB, SWAPDB, notifications switched off and on between two checks).
    public var fullReloadInterval: Duration
    public var lockKey: String
    public var lockTTL: Duration
    /// How often a standby tries to take the lock.
    public var standbyRetry: Duration
    /// Celery's `beat_cron_starting_deadline`.
    public var startingDeadline: Duration?
    /// Firings handed to a broker other than the schedule's Redis in one batch (commits go by
    /// groups of `Beat.commitGroupSize`).
    public var batchSize: Int
    /// Entries from `--schedule-file`, as stored JSON: written only where the key is absent.
    public var seedEntries: [(name: String, json: [UInt8])]
    /// `--wait-replicas`: each commit waits for this many replicas (README, "Failover").
    public var replicaWait: ReplicaWait?

    public init(
        scheduler: RedisConfiguration, broker: BrokerURL, brokerOptions: BrokerTransportOptions = BrokerTransportOptions(),
        router: Router = .celeryDefaults, store: StoreKind = .celerybeatRedis,
        keyPrefix: String = "tasks:meta:", zone: TimeZoneRules = .utc, maxInterval: Duration = .seconds(5),
        reloadInterval: Duration = .seconds(5), enableKeyspaceEvents: Bool = false, fullReloadInterval: Duration = .seconds(300),
        lockKey: String = "celery:beat:task_lock", lockTTL: Duration = .seconds(30),
        standbyRetry: Duration = .seconds(1), startingDeadline: Duration? = nil, batchSize: Int = 1000,
        seedEntries: [(name: String, json: [UInt8])] = [], replicaWait: ReplicaWait? = nil
    ) {
        self.scheduler = scheduler
        self.broker = broker
        self.brokerOptions = brokerOptions
        self.router = router
        self.store = store
        self.keyPrefix = keyPrefix
        self.zone = zone
        self.maxInterval = maxInterval
        self.reloadInterval = reloadInterval
        self.enableKeyspaceEvents = enableKeyspaceEvents
        self.fullReloadInterval = fullReloadInterval
        self.lockKey = lockKey
        self.lockTTL = lockTTL
        self.standbyRetry = standbyRetry
        self.startingDeadline = startingDeadline
        self.batchSize = batchSize
        self.seedEntries = seedEntries
        self.replicaWait = replicaWait
    }

    /// When the broker is the scheduler's own Redis server (the common setup), a firing's message
    /// is pushed in the same transaction that writes its run state back, so both happen or neither does.
    var sameServerPush: CommitTransaction.Push? {
        guard case .redis(let brokerRedis) = broker, brokerRedis.endpoint == scheduler.endpoint,
            brokerRedis.username == scheduler.username, brokerRedis.password == scheduler.password,
            // Behind sentinels, the same group and the same master name.
            brokerRedis.sentinel?.sentinels == scheduler.sentinel?.sentinels,
            brokerRedis.sentinel == nil || brokerOptions.sentinel.masterName == scheduler.sentinel?.masterName
        else { return nil }
        return CommitTransaction.Push(brokerDatabase: brokerRedis.database, scheduleDatabase: scheduler.database)
    }
}

extension Duration {
    var microseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }
}
