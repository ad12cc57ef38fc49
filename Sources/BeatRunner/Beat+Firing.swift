import BeatCore
import Broker
import CeleryMessage
import CivilTime
import JSON
import Logging
import RedisClient
import ScheduleStore

extension Beat {
    /// Fires every entry that is due, in groups, while this node may send.
    ///
    /// Each group goes through two steps (`CommitTransaction`): read its entries under WATCH (an
    /// edit or deletion made since the last reload wins) and build the messages; then commit, in a
    /// transaction that writes each entry's run state and, when the broker is this Redis server,
    /// pushes the messages. Other brokers get the messages right after.
    ///
    /// A WATCH lasts until its connection's EXEC, so groups go by two connections that take turns:
    /// a turn writes, on one, the commit of the group it built and the read of a new group; then
    /// reads the other's replies to the turn before and builds the group it read, while Redis runs
    /// this turn's request. An entry is in at most one group (it is out of the timetable from being
    /// handed out until its commit is read), so its write-back still reaches Redis before its next
    /// firing is decided.
    func fireDue() {
        guard let connections = firingConnections() else { return }
        var lanes = connections.map { FiringLane(connection: $0) }
        defer {
            // This node may no longer send, or the turns ended early: what is held is due again.
            for index in lanes.indices { abandon(&lanes[index], afterFailure: false) }
            publishCommitted()
        }
        for turn in 0..<100_000 {
            // A backlog (a slow machine, a catch-up after an outage) keeps these turns going for longer
            // than the lease lasts: renew it when due, on the main connection (the lanes' replies wait on
            // their own), or a leader that is busy firing would distrust its lease and step down.
            if SystemClock.monotonicMicroseconds() >= election.nextDeadline {
                leadership(now: SystemClock.monotonicMicroseconds())
            }
            guard election.maySend(at: SystemClock.monotonicMicroseconds()) else { return }
            let now = SystemClock.now()
            let due = timetable.nextDue() ?? now
            // Back-pressure: while the broker holds more batches than it may, nothing new is read or
            // committed (what the lanes hold is finished), so the firings that a crash would lose,
            // committed but not confirmed, stay bounded however long the broker is blocked.
            let keys = brokerIsBacklogged ? [] : timetable.popDue(now: now, limit: Self.commitGroupSize)
            if keys.isEmpty && lanes.allSatisfy(\.isIdle) { return }
            publishTelemetryIfDue()
            do {
                try send(on: &lanes[turn % 2], read: keys, now: now, due: due)
                guard try finish(&lanes[(turn + 1) % 2]) else { return }
            } catch {
                // A connection is gone with every reply on it, or Redis answered something that
                // makes no sense: whether a commit in flight ran is unknown, and every entry held
                // is read again before it fires, so a committed firing is not repeated.
                for index in lanes.indices { abandon(&lanes[index], afterFailure: true) }
                redisFailed(String(describing: error))
                return
            }
        }
    }

    /// One of the connections `fireDue` takes turns on, and the groups it holds.
    struct FiringLane {
        let connection: RedisConnection
        /// Read under WATCH and built: committed by the lane's next write.
        var built: PreparedBatch?
        /// Written in the lane's last turn, with replies still to read.
        var commitSent: (batch: PreparedBatch, replies: RedisConnection.PendingReplies)?
        /// `due`: when the earliest of `keys` was due (`BeatSnapshot.lag`).
        var readSent: (keys: [String], now: Instant, due: Instant, replies: RedisConnection.PendingReplies)?

        init(connection: RedisConnection) {
            self.connection = connection
        }

        var isIdle: Bool { built == nil && commitSent == nil && readSent == nil }
    }

    /// The connections `fireDue` takes turns on, opened at the first firing. They are not `redis`,
    /// whose plain calls (the TYPE of an entry found missing) may then come between their writes.
    private func firingConnections() -> [RedisConnection]? {
        if firingLaneConnections.isEmpty {
            do {
                firingLaneConnections = try (0..<2).map { (_) throws(RedisClientError) in
                    try RedisConnection(configuration: configuration.scheduler)
                }
            } catch {
                redisFailed(error.description)
                return nil
            }
        }
        return firingLaneConnections
    }

    /// Writes the commit of the lane's built group, then the read of `keys`. When either write
    /// fails, `keys` go back to the timetable (the lane's groups are its own to put back).
    private func send(on lane: inout FiringLane, read keys: [String], now: Instant, due: Instant) throws(RedisClientError) {
        do {
            if let batch = lane.built {
                let replies = try lane.connection.write(
                    CommitTransaction.commitRequest(batch.firings, push: push, format: format, wait: configuration.replicaWait))
                lane.commitSent = (batch, replies)
                lane.built = nil
            }
            guard !keys.isEmpty else { return }
            lane.readSent = (keys, now, due, try lane.connection.write(CommitTransaction.readRequest(keys, lockKey: configuration.lockKey, format: format)))
        } catch {
            putBack(keys, now: now, retryAfterFailure: true)
            throw error
        }
    }

    /// Reads the replies to the lane's last write: applies the commit's outcome and builds the
    /// group read. False when the lock is no longer this node's.
    private func finish(_ lane: inout FiringLane) throws -> Bool {
        if let (batch, replies) = lane.commitSent {
            let commitReplies = try lane.connection.readReplies(replies)
            let outcome = try commitOutcome(commitReplies, on: lane.connection)
            lane.commitSent = nil
            if outcome != .aborted { checkReplicated(commitReplies) }
            finishCommit(batch, outcome: outcome)
        }
        guard let (keys, now, due, replies) = lane.readSent else { return true }
        let outcome = try readOutcome(lane.connection.readReplies(replies), count: keys.count, on: lane.connection)
        lane.readSent = nil
        guard case .read(let values) = outcome else {
            putBack(keys, now: now, retryAfterFailure: false)
            CommitTransaction.unwatch(on: lane.connection)
            lostLockDuringCommit()
            return false
        }
        let batch = prepareBatch(keys, values: values, now: now, due: due)
        if batch.firings.isEmpty {
            // Nothing to commit: end the WATCH, or it would abort the lane's next transaction.
            CommitTransaction.unwatch(on: lane.connection)
        } else {
            lane.built = batch
        }
        return true
    }

    /// Puts back what a lane holds, and leaves its connection with nothing pending: replies still
    /// unread are dropped with the socket, a WATCH left by a read is ended.
    private func abandon(_ lane: inout FiringLane, afterFailure: Bool) {
        if lane.commitSent != nil || lane.readSent != nil {
            lane.connection.reset()
        } else if lane.built != nil {
            CommitTransaction.unwatch(on: lane.connection)
        }
        for batch in [lane.built, lane.commitSent?.batch].compactMap(\.self) {
            putBack(batch.keys, now: batch.now, retryAfterFailure: afterFailure)
        }
        if let read = lane.readSent {
            putBack(read.keys, now: read.now, retryAfterFailure: afterFailure)
        }
        lane = FiringLane(connection: lane.connection)
    }

    /// Firings per group: WATCH costs Redis a scan of the keys already watched for each key it
    /// adds, and EXEC a pass over them, so a group of n costs n². In a burst of 100,000 on Redis,
    /// WATCH and EXEC's own work took 1.8 and 1.75 µs a firing with groups of 100, 1.35 and 1.2
    /// with 50 (INFO commandstats), while the per-turn costs (two writes, a few reads) stay small
    /// beside 50 firings.
    static var commitGroupSize: Int { 50 }

    private func commitOutcome(_ replies: [RedisReply], on connection: RedisConnection) throws(ScheduleStoreError) -> CommitTransaction.CommitOutcome {
        guard let outcome = CommitTransaction.commitOutcome(replies, waited: configuration.replicaWait != nil) else {
            throw ScheduleStoreError(
                .unavailable,
                "redis \(connection.endpoint) refused the commit: \(replies.lazy.compactMap(\.errorMessage).first ?? "\(replies.last ?? .null)")")
        }
        return outcome
    }

    private func readOutcome(
        _ replies: [RedisReply], count: Int, on connection: RedisConnection
    ) throws(ScheduleStoreError) -> CommitTransaction.ReadOutcome {
        guard let outcome = CommitTransaction.readOutcome(replies, count: count, token: lock.token, format: format) else {
            throw ScheduleStoreError(
                .unavailable,
                "redis \(connection.endpoint) answered the read of a group with \(replies.lazy.compactMap(\.errorMessage).first ?? "\(replies)")")
        }
        return outcome
    }

    /// With `--wait-replicas`, warns (once in a while) when a commit reached fewer replicas than
    /// asked within the timeout: its firings stand, but a failover now could repeat them.
    private func checkReplicated(_ replies: [RedisReply]) {
        guard let wait = configuration.replicaWait else { return }
        let acknowledged = CommitTransaction.replicasAcknowledged(replies) ?? 0
        guard acknowledged < wait.replicas else { return }
        logRepeating("replicas") {
            logger.warning(
                "a commit reached \(acknowledged) of \(wait.replicas) replicas within the wait timeout; a failover now could repeat its firings",
                metadata: ["redis": "\(configuration.scheduler.redactedURL)"])
        }
    }

    /// A batch read and built, waiting for its commit.
    struct PreparedBatch {
        var now: Instant
        /// When the earliest of the group was due: the group's lag is measured from it, an upper
        /// bound for each firing (a group is the entries due by `now`, mostly due together).
        var due: Instant
        var firings: [CommitTransaction.Firing] = []
        var messages: [CeleryMessage] = []

        var keys: [String] { firings.map(\.key) }
    }

    /// The firings of the entries just read; the keys that do not fire are already back in the timetable.
    private func prepareBatch(_ keys: [String], values: [[UInt8]?], now: Instant, due: Instant) -> PreparedBatch {
        var batch = PreparedBatch(now: now, due: due)
        batch.firings.reserveCapacity(keys.count)
        batch.messages.reserveCapacity(keys.count)
        for (key, value) in zip(keys, values) {
            guard let (firing, message) = prepareFiring(key: key, value: value, now: now) else { continue }
            batch.firings.append(firing)
            batch.messages.append(message)
        }
        return batch
    }

    /// Builds one firing from the freshly read value, or returns nil (after updating the timetable)
    /// when the entry is gone, invalid, disabled or no longer due.
    private func prepareFiring(key: String, value: [UInt8]?, now: Instant) -> (CommitTransaction.Firing, CeleryMessage)? {
        let entry: Entry
        do {
            guard let value else {
                try apply(key: key, value: nil, now: now)
                return nil
            }
            if let loaded = timetable.loaded(key), loaded.digest == Digest.of(value) {
                entry = try decodeKnown(key: key, value: value, schedule: loaded.schedule)
            } else {
                // Edited since it was loaded: take the new definition and decide again.
                guard let edited = try apply(key: key, value: value, now: now, detail: .full) else { return nil }
                guard edited.isLive, let due = timetable[key]?.nextDue, due <= now else { return nil }
                entry = edited
            }
            guard entry.isLive else {
                timetable.reschedule(key: key, now: now)
                return nil
            }
            let message: CeleryMessage
            do {
                message = try entry.message(id: producer.nextTaskID(), producer: producer, now: now, routes: &routes)
            } catch {
                // Not the data's fault alone (the config's routes decide too): this slot is skipped,
                // the entry stays, and its next slot is tried again.
                timetable.reschedule(key: key, now: now)
                logRepeating("route:\(key)") {
                    logger.error(
                        "cannot route a firing; this slot is skipped", metadata: ["entry": "\(name(of: key))", "error": "\(error)"])
                }
                return nil
            }
            var firing = try format.firing(of: entry, stored: value, now: now, zone: configuration.zone)
            if push != nil {
                // Without the broker's lists the commit would write the run state and push nothing:
                // a firing recorded (and logged) as sent that no worker ever gets. Wait for the broker.
                guard let broker = connectedBroker() as? RedisBroker else {
                    putBack([key], now: now, retryAfterFailure: true)
                    return nil
                }
                let prepared = try broker.prepare(message)
                firing.lists = prepared.lists
                firing.payload = prepared.payload
            }
            return (firing, message)
        } catch let error as ScheduleStoreError {
            putBack([key], now: now, retryAfterFailure: true)
            redisFailed(error.description)
        } catch let error as BrokerError {
            putBack([key], now: now, retryAfterFailure: true)
            logRepeating("prepare:\(key)") {
                logger.error("cannot route a firing; it is retried", metadata: ["entry": "\(name(of: key))", "error": "\(error)"])
            }
        } catch {
            // RunStateWriter or a decoding error: the stored value changed under us; reload decides.
            timetable.reschedule(key: key, now: now)
        }
        return nil
    }

    private func decodeKnown(key: String, value: [UInt8], schedule: Schedule) throws -> Entry {
        do {
            return try format.decode(
                key: key, name: name(of: key), value: value, knownSchedule: schedule, detail: .full, cache: &scheduleCache, zones: zones)
        } catch {
            timetable.remove(key: key)
            throw error
        }
    }

    /// Applies a commit's outcome.
    private func finishCommit(_ batch: PreparedBatch, outcome: CommitTransaction.CommitOutcome) {
        let now = batch.now
        if outcome == .aborted {
            // An entry or the lock changed between the read and the commit: read again, decide again.
            putBack(batch.keys, now: now, retryAfterFailure: false)
            return
        }
        for firing in batch.firings {
            timetable.fired(key: firing.key, at: now, digest: firing.digest, firesAgain: firing.firesAgain)
        }
        expectOwnEvents(batch.firings.map(\.key))
        if case .committedWithoutPush(let failure) = outcome {
            for message in batch.messages { countFiring(.dropped, queue: message.destination.queue) }
            logger.error(
                "redis refused to push \(batch.firings.count) message(s) whose run state was written; they are lost",
                metadata: ["error": "\(failure)", "entries": "\(batch.firings.map { name(of: $0.key) }.joined(separator: ","))"])
            return
        }
        if push != nil { handedToBroker(due: batch.due, count: batch.firings.count, at: SystemClock.now()) }
        for (index, firing) in batch.firings.enumerated() {
            if push != nil {
                countFiring(.sent, queue: batch.messages[index].destination.queue)
                logSent(batch.messages[index], name: name(of: firing.key))
            } else {
                supersede(pendingFor: firing.key)
                committed.append(
                    PendingPublish(key: firing.key, message: batch.messages[index], attempts: 0, nextAttemptAt: .min, due: batch.due))
            }
        }
        if committed.count >= configuration.batchSize {
            publishCommitted()
        }
    }

    /// Publishes the firings committed since the last call, in one broker batch: commits go by
    /// groups of `commitGroupSize`, and a broker that confirms batches does better with larger ones.
    private func publishCommitted() {
        guard !committed.isEmpty else { return }
        let batch = committed
        committed.removeAll(keepingCapacity: true)
        publish(batch)
    }

    /// Hands committed firings to the broker and returns before it has confirmed them, so the next
    /// batch is read, built and committed while the broker works on this one; then reads the
    /// confirms of the oldest batch beyond `batchesLeftUnconfirmed`. A firing is logged "sent" only
    /// once confirmed; what the broker does not take waits for a retry.
    func publish(_ batch: [PendingPublish]) {
        // A Redis call of this pass may have blocked for up to its timeout (a partition) after these
        // were committed: once the lock may have expired, another node may lead, so nothing more is
        // handed over: they wait as pending, dropped when the election gives the lease up (`stoppedSending`).
        guard election.maySend(at: SystemClock.monotonicMicroseconds()) else {
            pending += batch
            return
        }
        guard let broker = connectedBroker() else {
            let now = SystemClock.monotonicMicroseconds()
            pending += batch.map { delayed($0, at: now) }
            return
        }
        publishing.append(PublishingFirings(items: batch, broker: broker, batch: broker.startPublishing(batch.map(\.message))))
        let handedAt = SystemClock.now()
        for item in batch where item.attempts == 0 { handedToBroker(due: item.due, count: 1, at: handedAt) }
        confirmPublished(leaving: Self.batchesLeftUnconfirmed)
    }

    /// Batches left with the broker after `publish`, the one just handed over included. RabbitMQ
    /// confirms persistent messages once its queue has synced them, which it often does only when
    /// it has nothing else to do: waiting for the batch just before the new one then often waits
    /// until the broker is idle, and it stays idle while the next batch is committed in Redis.
    /// Waiting for the one before that leaves the broker a batch to work on meanwhile.
    static var batchesLeftUnconfirmed: Int { 2 }

    /// Reads the broker's verdict on the oldest batches handed to it until at most `leaving` wait,
    /// or until a wait bounded by the election (`confirmWait`) ends without it: the batch then stays
    /// in flight for a later turn of the loop.
    func confirmPublished(leaving: Int = 0) {
        while publishing.count > leaving {
            let firings = publishing.removeFirst()
            guard confirm(firings) else {
                publishing.insert(firings, at: 0)
                brokerStalled(firings.broker)
                return
            }
            brokerResumed()
        }
    }

    /// More batches wait for the broker than `batchesLeftUnconfirmed`: `fireDue` commits nothing new.
    var brokerIsBacklogged: Bool { publishing.count > Self.batchesLeftUnconfirmed }

    /// How long one wait for confirms may last: not past the election's next deadline (renewing the
    /// lock comes first), and at most a second, so signals, reloads and change notifications are not
    /// held up by a broker that stopped reading. At least 10 ms, so the loop does not spin.
    private func confirmWait() -> Duration {
        let now = SystemClock.monotonicMicroseconds()
        return .microseconds(max(10_000, min(election.nextDeadline, now + 1_000_000) - now))
    }

    /// Logs once that the broker stopped taking messages: at once when it said why
    /// (`connection.blocked`), else once nothing was confirmed for `brokerStallReported`.
    private func brokerStalled(_ broker: any Broker) {
        let now = SystemClock.monotonicMicroseconds()
        var stall = brokerStall ?? BrokerStall(since: now)
        defer { brokerStall = stall }
        guard !stall.logged else { return }
        let waited = "\(publishing.reduce(0) { $0 + $1.items.count }) message(s) in \(publishing.count) batch(es)"
        if let reason = broker.blockedReason {
            logger.error(
                "the broker blocked publishing; committing no new firings until it resumes",
                metadata: ["broker": "\(configuration.broker)", "reason": "\(reason)", "unconfirmed": "\(waited)"])
        } else if now - stall.since >= Self.brokerStallReported {
            logger.error(
                "the broker has not confirmed for \((now - stall.since) / 1_000_000) s; committing no new firings until it does",
                metadata: ["broker": "\(configuration.broker)", "unconfirmed": "\(waited)"])
        } else {
            return
        }
        stall.logged = true
    }

    /// A batch was settled: a stall logged is over.
    private func brokerResumed() {
        guard let stall = brokerStall else { return }
        brokerStall = nil
        guard stall.logged else { return }
        let seconds = Double((SystemClock.monotonicMicroseconds() - stall.since) / 10_000) / 100
        logger.notice("the broker confirms again after \(seconds) s; firing resumes", metadata: ["broker": "\(configuration.broker)"])
    }

    /// How long a broker may leave a batch unconfirmed before that is logged (microseconds): longer
    /// than a busy RabbitMQ takes to sync a large batch.
    static var brokerStallReported: Int64 { 2_000_000 }

    /// Returns false, the batch untouched, when the broker has not finished it within `confirmWait()`.
    private func confirm(_ firings: PublishingFirings) -> Bool {
        let batch = firings.items
        do {
            guard try firings.broker.finishPublishing(firings.batch, waitingAtMost: confirmWait()) else { return false }
            for item in batch {
                countFiring(.sent, queue: item.message.destination.queue)
                logSent(item.message, name: name(of: item.key))
            }
        } catch {
            let now = SystemClock.monotonicMicroseconds()
            let failed = Set(error.unconfirmed)
            // A newer firing of the entry, committed since, replaces one the broker did not take.
            let newer = Set(publishing.flatMap { $0.items.map(\.key) })
            for (index, item) in batch.enumerated() {
                if !failed.contains(index) {
                    countFiring(.sent, queue: item.message.destination.queue)
                    logSent(item.message, name: name(of: item.key))
                    continue
                }
                countFiring(.failed, queue: item.message.destination.queue)
                if newer.contains(item.key) {
                    pending.append(item)
                    supersede(pendingFor: item.key)
                } else {
                    pending.append(delayed(item, at: now))
                }
            }
            observed.brokerErrors += 1
            if error.kind == .unreachable {
                firings.broker.close()
                if self.broker === firings.broker { self.broker = nil }
            }
            logRepeating("publish") {
                logger.error(
                    "the broker did not take \(failed.count) message(s); retrying with backoff",
                    metadata: ["broker": "\(configuration.broker)", "error": "\(error)"])
            }
        }
        return true
    }

    /// Reads the confirms still outstanding, then retries the pending publishes whose time has come.
    func publishPending() {
        confirmPublished()
        guard !brokerIsBacklogged else { return }
        let now = SystemClock.monotonicMicroseconds()
        guard pending.contains(where: { $0.nextAttemptAt <= now }) else { return }
        let due = pending.filter { $0.nextAttemptAt <= now }
        pending.removeAll { $0.nextAttemptAt <= now }
        publish(due)
        confirmPublished()
    }

    /// A newer firing of the same entry replaces one still waiting for the broker.
    private func supersede(pendingFor key: String) {
        for item in pending where item.key == key {
            countFiring(.dropped, queue: item.message.destination.queue)
            logger.warning(
                "a newer firing replaces one the broker never took",
                metadata: ["entry": "\(name(of: key))", "task": "\(item.message.task)", "id": "\(item.message.id)"])
        }
        pending.removeAll { $0.key == key }
    }

    func dropPending(reason: String) {
        confirmPublished()
        for item in pending {
            countFiring(.dropped, queue: item.message.destination.queue)
            logger.error(
                "dropped an unsent firing: \(reason)",
                metadata: ["entry": "\(name(of: item.key))", "task": "\(item.message.task)", "id": "\(item.message.id)"])
        }
        pending.removeAll()
    }

    private func delayed(_ item: PendingPublish, at now: Int64) -> PendingPublish {
        var item = item
        item.attempts += 1
        item.nextAttemptAt = now + PendingPublish.delay(afterAttempts: item.attempts)
        return item
    }

    /// Returns handed-out entries to the timetable: due again at once, or, after a failure, when the
    /// Redis and broker backoffs are over and at least `failureRetryDelay` later. (Due at once, a
    /// firing that keeps failing, such as one routed to an exchange no queue is bound to, was handed
    /// out again by the same `fireDue` pass, thousands of times, and the loop never slept.)
    private func putBack(_ keys: [String], now: Instant, retryAfterFailure: Bool) {
        var retryAt = now
        if retryAfterFailure {
            let monotonic = SystemClock.monotonicMicroseconds()
            var wait = Self.failureRetryDelay
            for backoff in [redisBackoff, brokerBackoff] where backoff.isWaiting(at: monotonic) {
                wait = max(wait, backoff.until - monotonic)
            }
            retryAt = now + Microseconds(wait)
        }
        for key in keys {
            timetable.reschedule(key: key, now: now, retryAt: retryAt)
        }
    }

    /// The shortest wait before a firing that failed is tried again (microseconds).
    static var failureRetryDelay: Int64 { 1_000_000 }

    /// The message and the name are read only when the line is logged: a copy of the message
    /// costs a retain and a release of each of its strings, and a name is a new string, at every firing.
    private func logSent(_ message: @autoclosure () -> CeleryMessage, name: @autoclosure () -> String) {
        logger.info("sent \(name())", metadata: Self.sentMetadata(message()))
    }

    private static func sentMetadata(_ message: CeleryMessage) -> Logger.Metadata {
        ["task": "\(message.task)", "id": "\(message.id)", "queue": "\(message.destination.queue)"]
    }
}
