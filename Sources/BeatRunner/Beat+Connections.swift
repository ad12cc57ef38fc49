import BeatCore
import CivilTime
import Broker
import CeleryRouting
import Logging
import RedisClient
import ScheduleStore

extension Beat {
    /// Makes sure the scheduler's Redis is connected (and the change subscription with it);
    /// false while Redis cannot be reached, in which case the loop only sleeps and retries.
    func connectIfNeeded(now: Int64) -> Bool {
        // After a failure, wait out the backoff; the connection object reconnects on its next call.
        guard !redisBackoff.isWaiting(at: now) else { return false }
        if redis == nil {
            do {
                let connection = try RedisConnection(configuration: configuration.scheduler)
                redis = connection
                var metadata: Logger.Metadata = ["redis": "\(configuration.scheduler.redactedURL)"]
                if let sentinel = connection.discoveredBy {
                    // Behind Sentinel the URL names the sentinels: say which master they named.
                    metadata["master"] = "\(connection.endpoint)"
                    metadata["sentinel"] = "\(sentinel)"
                }
                logger.info("connected to the scheduler's redis", metadata: metadata)
            } catch {
                redisFailed(error.description)
                return false
            }
        }
        ensureSubscription()
        return true
    }

    /// Records a failed call to the scheduler's Redis: back off, and log it (not on every retry).
    func redisFailed(_ description: String) {
        redisBackoff.failed(at: SystemClock.monotonicMicroseconds())
        observed.redisErrors += 1
        observed.redisError = description
        logRepeating("redis") {
            logger.error("the scheduler's redis failed; retrying", metadata: ["error": "\(description)"])
        }
    }

    /// Subscribes to the change channel (and to keyspace notifications for the prefix, which
    /// arrive only where the server has `notify-keyspace-events` on). Resubscribes after a reconnect.
    @discardableResult
    func ensureSubscription() -> Bool {
        if let subscriber, subscriber.isConnected { return true }
        do {
            let connection = try subscriber ?? RedisConnection(configuration: configuration.scheduler)
            try connection.subscribe(
                channels: [EntryChanges.channel(database: configuration.scheduler.database, keyPrefix: configuration.keyPrefix)],
                patterns: ["__keyspace@\(configuration.scheduler.database)__:\(EntryReader.globEscaped(configuration.keyPrefix))*"])
            subscriber = connection
            // Anything could have changed while the subscription was down: re-read every entry,
            // and trust notifications again only from the check that starts that re-read.
            nextReloadAt = .min
            stopTrustingNotifications()
            return true
        } catch {
            subscriber = nil
            logRepeating("subscribe") {
                logger.warning("cannot subscribe to entry changes; edits are found by the periodic reload", metadata: ["error": "\(error)"])
            }
            return false
        }
    }

    /// The broker, connected on first use; nil (and logged) while it cannot be reached.
    func connectedBroker() -> (any Broker)? {
        if let broker { return broker }
        let now = SystemClock.monotonicMicroseconds()
        guard !brokerBackoff.isWaiting(at: now) else { return nil }
        do {
            let router = configuration.router
            broker = try configuration.broker.connect(options: configuration.brokerOptions) { router.queueArguments(for: $0) }
            brokerBackoff.succeeded()
            return broker
        } catch {
            brokerBackoff.failed(at: now)
            observed.brokerErrors += 1
            logRepeating("broker") {
                logger.error("cannot reach the broker; firings wait", metadata: ["broker": "\(configuration.broker)", "error": "\(error)"])
            }
            return nil
        }
    }

    func keepBrokerAlive(now: Int64) {
        guard now >= nextKeepAliveAt else { return }
        nextKeepAliveAt = now + configuration.maxInterval.microseconds
        broker?.keepAlive()
    }

    /// Writes the `--schedule-file` entries whose keys are absent (SET NX), once at start-up, so
    /// Redis stays the source of truth: an entry edited in Redis keeps the edit. (Like Celery's
    /// `beat_schedule`, a file entry deleted in Redis comes back at the next start.)
    func seedScheduleFile() -> Bool {
        guard let redis else { return false }
        var pipeline = RedisPipeline()
        for entry in configuration.seedEntries {
            pipeline.append("SET", configuration.keyPrefix + entry.name, entry.json, "NX")
        }
        do {
            let replies = try redis.pipeline(pipeline)
            let written = zip(configuration.seedEntries, replies).filter { $0.1.isOK }.map(\.0.name)
            logger.info(
                "schedule file: \(written.count) entries written, \(configuration.seedEntries.count - written.count) already in redis",
                metadata: ["written": "\(written.joined(separator: ", "))"])
            return true
        } catch {
            redisFailed(error.description)
            return false
        }
    }
}
