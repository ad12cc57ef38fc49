import BeatCore
import Broker
import CeleryMessage
import CeleryRouting
import CivilTime
import JSON
public import Logging
import RedisClient
import RedBeatStore
import ScheduleStore
#if canImport(Glibc)
import Glibc
#endif

/// `swiftbeat run`: the loop that keeps the timetable in step with Redis and, while this node
/// holds the lock, fires what is due.
///
/// One thread does everything, in order: leadership (acquire, renew, give up), reloading entries,
/// firing, retrying publishes, then sleeping until the next deadline. Every Redis and broker call
/// is bounded by a timeout, so a shutdown signal is honoured within a couple of seconds. Errors
/// from Redis or the broker are logged and retried with backoff; nothing in the data can stop it.
public final class Beat {
    let configuration: RunnerConfiguration
    let logger: Logger
    let wakeup = Wakeup()

    var timetable: Timetable
    var election: LeaderElection
    var lock: LeaderLock
    var producer = CeleryProducer()
    var routes: RouteMemo
    let push: CommitTransaction.Push?

    /// The scheduler's Redis; nil until connected (and after a failed connect).
    var redis: RedisConnection? {
        didSet { reader = redis.map { EntryStore(format, connection: $0, keyPrefix: configuration.keyPrefix) } }
    }
    var reader: EntryStore?
    /// How the entries are stored (`--store`).
    let format: StoreFormat
    /// The two connections firing takes turns on (`fireDue`); opened at the first firing.
    var firingLaneConnections: [RedisConnection] = []
    /// A second connection that only listens for change notifications.
    var subscriber: RedisConnection?
    var broker: (any Broker)?

    /// Keys whose stored value could not be used, with the fingerprint of what was logged, so each
    /// problem is logged once per change of the key.
    var invalidEntries: [String: Int] = [:]
    /// Committed firings waiting to be published (only when the broker is not the schedule's Redis).
    var pending: [PendingPublish] = []
    /// Firings committed during this `fireDue` and not yet handed to the broker (only when the
    /// broker is not the schedule's Redis).
    var committed: [PendingPublish] = []
    /// Committed firings handed to the broker whose confirms are still to be read: normally at most
    /// `batchesLeftUnconfirmed` batches while firing and none once `publishPending()` has returned;
    /// more, kept across turns, while the broker is slow or blocked (then nothing new is committed).
    var publishing: [PublishingFirings] = []
    /// Set while the oldest batch handed to the broker waits past a confirm wait (`brokerStalled`).
    var brokerStall: BrokerStall?
    var nextReloadAt: Int64 = .min
    /// Since when keyspace notifications have told of every raw edit (monotonic microseconds,
    /// `Beat+Changes.swift`); nil while they do not, and again with each new subscription until checked.
    var notificationsTrustedSince: Int64?
    /// Write-backs committed while notifications were trusted whose keyspace events are still to
    /// come, by key: those events are the beat's own and are skipped, not read again
    /// (`Beat+Changes.swift`). Emptied whenever notifications stop being trusted.
    var ownWrites: [String: Int] = [:]
    /// When the last full re-read of every entry started (monotonic microseconds).
    var lastFullReloadAt: Int64 = .min
    var reloadPass: ReloadPass?
    var hasLoadedOnce = false
    /// Parsed schedules by their JSON text, shared by every decode.
    var scheduleCache = ScheduleCache()
    /// The zones RedBeat datetimes name, loaded once each.
    let zones = ZoneCache()
    var nextKeepAliveAt: Int64 = .min
    /// After a Redis failure, nothing is retried before this (monotonic microseconds). Capped at
    /// the standby retry: once Redis is back, the election must resume within that, not after
    /// a backoff that grew during the outage.
    var redisBackoff: Backoff
    var brokerBackoff = Backoff()
    var lastLogged: [String: Int64] = [:]
    /// What the loop has seen, published to `telemetry` at each turn (`Beat+Telemetry.swift`).
    var observed: BeatSnapshot
    var nextTelemetryAt: Int64 = .min
    /// Where other threads read the loop's latest snapshot (the HTTP endpoint).
    public let telemetry: BeatTelemetry
    /// Called on the loop's thread after each turn's snapshot, and once more when stopping
    /// (role `.stopped`): the systemd notifications. It must return at once.
    public var turned: ((BeatSnapshot) -> Void)?

    public init(configuration: RunnerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        format = StoreFormat(configuration.store, keyPrefix: configuration.keyPrefix)
        timetable = Timetable(
            zone: configuration.zone, startingDeadline: configuration.startingDeadline.map { Microseconds($0.microseconds) })
        election = LeaderElection(
            ttlMicroseconds: configuration.lockTTL.microseconds,
            retryIntervalMicroseconds: configuration.standbyRetry.microseconds)
        lock = LeaderLock(
            key: configuration.lockKey, token: Self.lockToken(producer: producer),
            ttlMilliseconds: configuration.lockTTL.microseconds / 1000)
        push = configuration.sameServerPush
        routes = RouteMemo(router: configuration.router)
        redisBackoff = Backoff(maximum: configuration.standbyRetry.microseconds)
        telemetry = BeatTelemetry(maxInterval: configuration.maxInterval)
        observed = telemetry.snapshot()
    }

    /// Runs until SIGTERM or SIGINT, then releases the lock and returns.
    public func run() {
        logger.info(
            "swiftbeat starting",
            metadata: [
                "scheduler": "\(configuration.scheduler.redactedURL)", "broker": "\(configuration.broker)",
                "store": "\(configuration.store.rawValue)", "prefix": "\(configuration.keyPrefix)", "timezone": "\(configuration.zone.identifier)",
                "lock.key": "\(configuration.lockKey)", "lock.ttl": "\(configuration.lockTTL)",
                "delivery": "\(push == nil ? "commit, then publish" : "commit and push in one redis transaction")",
                "default_queue": "\(configuration.router.defaultQueue)",
            ])
        for note in configuration.router.notes { logger.warning("\(note)") }
        var seeded = configuration.seedEntries.isEmpty
        while !wakeup.shutdownRequested {
            let now = SystemClock.monotonicMicroseconds()
            if connectIfNeeded(now: now) {
                if !seeded { seeded = seedScheduleFile() }
                leadership(now: now)
                if now >= nextReloadAt { reloadTick(now: now) }
                continueReload()
                readNotifications()
                if election.maySend(at: SystemClock.monotonicMicroseconds()) {
                    fireDue()
                    publishPending()
                } else if !pending.isEmpty {
                    dropPending(reason: "this node is no longer the leader")
                } else if !publishing.isEmpty {
                    confirmPublished()
                }
                keepBrokerAlive(now: SystemClock.monotonicMicroseconds())
            }
            wakeup.drainSignals()
            publishTelemetry()
            sleepUntilNextDeadline()
        }
        observed.role = .stopped
        publishTelemetry()
        shutdown()
    }

    /// Sleeps until the earliest of: the next due entry (leader only), a lock deadline, the next
    /// reload, a publish retry, the end of a Redis backoff, and `maxInterval` from now.
    private func sleepUntilNextDeadline() {
        let now = SystemClock.monotonicMicroseconds()
        var deadlines = [now + configuration.maxInterval.microseconds, election.nextDeadline, nextReloadAt]
        if redisBackoff.isWaiting(at: now) {
            deadlines.append(redisBackoff.until)
        } else if election.role == .leader {
            if let due = timetable.nextDue() { deadlines.append(now + (due - SystemClock.now()).value) }
            if let retry = pending.map(\.nextAttemptAt).min() { deadlines.append(retry) }
        }
        // A reload in progress goes on at once (a page per turn).
        // Over TLS, decrypted change messages may wait in OpenSSL where poll(2) cannot see them.
        // Batches waiting for the broker's confirms: the bounded wait for them was this turn's sleep.
        let busy =
            (reloadPass != nil && !redisBackoff.isWaiting(at: now)) || subscriber?.hasBufferedInput == true || !publishing.isEmpty
        let deadline = busy ? now : max(now, deadlines.min() ?? now)
        wakeup.wait(microseconds: deadline - now, socket: subscriber?.fileDescriptor)
    }

    private func shutdown() {
        if !pending.isEmpty { dropPending(reason: "swiftbeat is shutting down") }
        if !publishing.isEmpty {
            let count = publishing.reduce(0) { $0 + $1.items.count }
            logger.error(
                "\(count) message(s) handed to the broker were not confirmed before shutdown; they may not have been delivered",
                metadata: ["broker": "\(configuration.broker)"])
        }
        for action in election.shutdown() where action == .release {
            if let redis {
                do {
                    let released = try lock.release(on: redis)
                    logger.info(released ? "released the lock" : "the lock was no longer ours to release", metadata: ["lock.key": "\(lock.key)"])
                } catch {
                    logger.warning("could not release the lock; it expires by its TTL", metadata: ["error": "\(error)"])
                }
            }
        }
        broker?.close()
        subscriber?.close()
        redis?.close()
        logger.info("swiftbeat stopped")
    }

    /// The lock's value: unique per process start, and readable by `swiftbeat status`.
    static func lockToken(producer: CeleryProducer) -> String {
        var ids = producer.ids
        let token: JSONValue = .object([
            "host": .string(CeleryProducer.hostname), "pid": .integer(Int(getpid())),
            "token": .string(ids.next()), "since": .string(ISO8601.format(SystemClock.now(), utcOffsetSeconds: 0)),
        ])
        return JSONWriter.string(token, style: .compact)
    }

    /// Logs `message` at most once per `interval` for the same `key`, so a Redis outage does not
    /// flood the log while every loop retries.
    func logRepeating(_ key: String, every interval: Int64 = 10_000_000, _ log: () -> Void) {
        let now = SystemClock.monotonicMicroseconds()
        if let last = lastLogged[key], now - last < interval { return }
        lastLogged[key] = now
        log()
    }
}

/// Exponential backoff for retrying a failed service: 0.5 s doubling to `maximum` (30 s unless
/// given), reset on success.
struct Backoff {
    private(set) var until: Int64 = .min
    private var delay: Int64 = 0
    let maximum: Int64

    init(maximum: Int64 = 30_000_000) {
        self.maximum = maximum
    }

    mutating func failed(at now: Int64) {
        delay = delay == 0 ? min(500_000, maximum) : min(delay * 2, maximum)
        until = now + delay
    }

    mutating func succeeded() {
        delay = 0
        until = .min
    }

    func isWaiting(at now: Int64) -> Bool { now < until }
}
