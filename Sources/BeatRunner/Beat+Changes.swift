import CivilTime
import Logging
import RedisClient

/// How the beat learns of raw edits (`redis-cli SET`) without re-reading every entry: from the
/// server's keyspace notifications, when they cover entry keys, else by re-reading everything every
/// `--reload-interval`. README, "Live changes", says when an edit can be missed and for how long.
extension Beat {
    /// Every `--reload-interval`: checks the server's notifications, then re-reads every entry
    /// unless they have covered edits since before the last full re-read started (an edit made
    /// earlier is found by that re-read, a later one is notified) and that re-read is recent enough.
    /// RedBeat's store always reads its index: that is how entries coming due are found.
    func reloadTick(now: Int64) {
        if !format.readsDueOnly, let trustedSince = notificationsTrustedSince, lastFullReloadAt >= trustedSince,
            now - lastFullReloadAt < configuration.fullReloadInterval.microseconds
        {
            refreshCoverage()
            if notificationsTrustedSince != nil {
                nextReloadAt = now + configuration.reloadInterval.microseconds
                return
            }
        }
        // It checks the notifications again as it begins.
        startReload()
    }

    /// Reads `notify-keyspace-events` (at each tick, and as a full re-read starts): notifications
    /// are trusted from the first check that finds them covering entry keys on this subscription,
    /// until one finds them not covering or the subscription is lost.
    func refreshCoverage() {
        let covered = subscriber != nil && keyspaceEventsCoverEdits()
        let changed = covered != (notificationsTrustedSince != nil)
        if covered, notificationsTrustedSince == nil { notificationsTrustedSince = SystemClock.monotonicMicroseconds() }
        if !covered { stopTrustingNotifications() }
        if changed || lastFullReloadAt == .min { logCoverage() }
    }

    /// Whether the server publishes every change of an entry key, after turning that on when
    /// `--enable-keyspace-events` allows it. A server that refuses CONFIG (a managed service, an
    /// ACL) counts as not covering: the beat then re-reads everything, as it would without them.
    private func keyspaceEventsCoverEdits() -> Bool {
        guard let redis else { return false }
        let classes = format.keyspaceEventClasses
        do {
            let reply = try redis.send("CONFIG", "GET", "notify-keyspace-events")
            guard let flags = reply.array?.last?.string else {
                logRepeating("keyspace-config", every: 3_600_000_000) {
                    logger.info(
                        "cannot read notify-keyspace-events; raw edits are found by re-reading every entry",
                        metadata: ["reply": "\(reply.errorMessage ?? "\(reply)")"])
                }
                return false
            }
            let events = KeyspaceEvents(flags: flags)
            if events.cover(classes) { return true }
            guard configuration.enableKeyspaceEvents else { return false }
            let wanted = events.adding(classes)
            let set = try redis.send("CONFIG", "SET", "notify-keyspace-events", wanted.flags)
            guard set.isOK else {
                logRepeating("keyspace-config-set", every: 3_600_000_000) {
                    logger.warning(
                        "cannot turn on keyspace notifications (--enable-keyspace-events)",
                        metadata: ["reply": "\(set.errorMessage ?? "\(set)")"])
                }
                return false
            }
            logger.info("turned on keyspace notifications", metadata: ["notify-keyspace-events": "\(wanted.flags)"])
            return true
        } catch {
            redisFailed(error.description)
            return false
        }
    }

    private func logCoverage() {
        if notificationsTrustedSince != nil {
            logger.info(
                "keyspace notifications cover entry edits: each arrives as it is made; every entry is re-read every \(configuration.fullReloadInterval)")
        } else {
            logger.info("keyspace notifications do not cover entry edits: every entry is re-read every \(configuration.reloadInterval)")
        }
    }

    /// The subscription connection failed (closed by the server, CLIENT KILL, an output buffer
    /// limit): notifications published meanwhile are lost, so the next turn resubscribes and
    /// re-reads every entry (`ensureSubscription`).
    func subscriptionLost(_ description: String) {
        subscriber?.close()
        subscriber = nil
        stopTrustingNotifications()
        logger.warning("lost the change subscription; re-reading every entry", metadata: ["error": "\(description)"])
    }

    func stopTrustingNotifications() {
        notificationsTrustedSince = nil
        ownWrites.removeAll()
    }

    /// Counts the keyspace events `keys`' write-backs will publish. Only while notifications are
    /// trusted: then every write-back publishes one, so the count comes back to zero; and an event
    /// from another client that comes before the beat's own still arrived before the firing read
    /// the key (WATCH made the commit fail otherwise), so skipping it in its place loses nothing.
    func expectOwnEvents(_ keys: [String]) {
        guard notificationsTrustedSince != nil else { return }
        for key in keys { ownWrites[key, default: 0] += 1 }
    }

    /// Whether the keyspace event `event` on `key` is one of the beat's own write-backs (and counts it off).
    func isOwnEvent(key: String, event: [UInt8]) -> Bool {
        guard let expected = ownWrites[key], event == format.writeBackEvent else { return false }
        ownWrites[key] = expected > 1 ? expected - 1 : nil
        return true
    }
}
