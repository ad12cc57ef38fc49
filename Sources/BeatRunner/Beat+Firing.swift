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
    /// Each group goes through three steps, one loop turn each: read its entries (an edit or
    /// deletion made since the last reload wins) and build the messages; check, under WATCH, that
    /// the lock is still this node's and each entry still holds what the firing was built from;
    /// commit in a transaction that writes each entry's run state and, when the broker is this
    /// Redis server, pushes the messages (`CommitTransaction`). Other brokers get the messages
    /// right after.
    ///
    /// Groups overlap: one turn writes the read of a new group, the commit of the group checked
    /// in the turn before and the check of the group built in the turn before, and builds the new
    /// group (answered first) while Redis runs the commit and the check. An entry is in at most one
    /// group (it is out of the timetable from being handed out until its commit is read), so its
    /// write-back still reaches Redis before its next firing is decided; commits run one after
    /// the other on one connection, and a check always comes after the commit before it, since
    /// EXEC ends every WATCH on the connection.
    func fireDue() {
        guard let redis, let reader else { return }
        var built: PreparedBatch?
        var checked: PreparedBatch?
        defer {
            // Built or checked but never committed (this node may no longer send, or the turn ended): due again.
            for batch in [built, checked].compactMap(\.self) {
                putBack(batch.keys, now: batch.now, retryAfterFailure: false)
            }
            if checked != nil { CommitTransaction.unwatch(on: redis) }
            publishCommitted()
        }
        for _ in 0..<100_000 {
            guard election.maySend(at: SystemClock.monotonicMicroseconds()) else { return }
            let now = SystemClock.now()
            let keys = timetable.popDue(now: now, limit: Self.commitGroupSize)
            if keys.isEmpty && built == nil && checked == nil { return }
            let committing = checked
            let checking = built
            checked = nil
            built = nil
            var next: PreparedBatch?
            let commitSent: RedisConnection.PendingReplies?
            let checkSent: RedisConnection.PendingReplies?
            do {
                let request = keys.isEmpty ? nil : try reader.requestValues(of: keys)
                commitSent = try committing.map { (batch) throws(RedisClientError) in
                    try redis.write(CommitTransaction.commitRequest(batch.firings, push: push))
                }
                checkSent = try checking.map { (batch) throws(RedisClientError) in
                    try redis.write(CommitTransaction.checkRequest(batch.firings, lockKey: configuration.lockKey))
                }
                if let request {
                    next = prepareBatch(keys, values: try reader.values(answering: request, count: keys.count), now: now)
                }
            } catch {
                // The connection is gone with every reply on it, or MGET's answer made no sense
                // (then the other replies are dropped with the socket: each is re-read as any lost one).
                putBack(keys, now: now, retryAfterFailure: true)
                failedAfterSending([committing, checking], error: error, on: redis)
                return
            }
            if let committing, let commitSent {
                let outcome: CommitTransaction.CommitOutcome
                do {
                    outcome = try commitOutcome(redis.readReplies(commitSent), on: redis)
                } catch {
                    // Whether the commit ran is unknown when the connection broke mid-call; the entries
                    // are re-read before they fire again, so a committed firing is not repeated.
                    failedAfterSending([committing, checking, next], error: error, on: redis)
                    return
                }
                finishCommit(committing, outcome: outcome)
            }
            if let checking, let checkSent {
                let outcome: CommitTransaction.CheckOutcome
                do {
                    outcome = try checkOutcome(redis.readReplies(checkSent), of: checking, on: redis)
                } catch {
                    failedAfterSending([checking, next], error: error, on: redis)
                    return
                }
                guard case .checked(let checks) = outcome else {
                    putBack(checking.keys, now: checking.now, retryAfterFailure: false)
                    if let next { putBack(next.keys, now: next.now, retryAfterFailure: false) }
                    CommitTransaction.unwatch(on: redis)
                    lostLockDuringCommit()
                    return
                }
                checked = finishCheck(checking, checks: checks)
                if checked == nil { CommitTransaction.unwatch(on: redis) }
            }
            guard var next else { continue }
            // Entries that MGET found missing are looked at only now: that takes a call of its own.
            for key in next.missing {
                _ = prepareFiring(key: key, value: nil, now: next.now)
            }
            next.missing = []
            if !next.firings.isEmpty { built = next }
        }
    }

    /// Drops the connection with every reply still on it, and puts the groups in flight back.
    private func failedAfterSending(_ batches: [PreparedBatch?], error: any Error, on connection: RedisConnection) {
        connection.reset()
        for batch in batches.compactMap(\.self) {
            putBack(batch.keys, now: batch.now, retryAfterFailure: true)
        }
        redisFailed(String(describing: error))
    }

    /// Firings per group: WATCH costs Redis a scan of the keys already watched for each key it
    /// adds, so a group of n costs n²; 100 keeps that under a microsecond a firing, while the
    /// per-turn costs (three writes, a few reads) stay small beside 100 firings.
    static var commitGroupSize: Int { 100 }

    private func commitOutcome(_ replies: [RedisReply], on connection: RedisConnection) throws(ScheduleStoreError) -> CommitTransaction.CommitOutcome {
        guard let outcome = CommitTransaction.commitOutcome(replies) else {
            throw ScheduleStoreError(
                .unavailable,
                "redis \(connection.configuration.endpoint) refused the commit: \(replies.lazy.compactMap(\.errorMessage).first ?? "\(replies.last ?? .null)")")
        }
        return outcome
    }

    private func checkOutcome(
        _ replies: [RedisReply], of batch: PreparedBatch, on connection: RedisConnection
    ) throws(ScheduleStoreError) -> CommitTransaction.CheckOutcome {
        guard let outcome = CommitTransaction.checkOutcome(replies, of: batch.firings, token: lock.token) else {
            throw ScheduleStoreError(
                .unavailable,
                "redis \(connection.configuration.endpoint) answered the commit check with \(replies.lazy.compactMap(\.errorMessage).first ?? "\(replies)")")
        }
        return outcome
    }

    /// A batch read and built, waiting for its commit.
    struct PreparedBatch {
        var now: Instant
        var firings: [CommitTransaction.Firing] = []
        var messages: [CeleryMessage] = []
        var names: [String] = []
        /// Keys MGET found missing (deleted, or not strings), to look at once no reply is awaited.
        var missing: [String] = []

        var keys: [String] { firings.map(\.key) + missing }
    }

    /// The firings of the entries just read; the keys that do not fire are already back in the timetable.
    private func prepareBatch(_ keys: [String], values: [[UInt8]?], now: Instant) -> PreparedBatch {
        var batch = PreparedBatch(now: now)
        batch.firings.reserveCapacity(keys.count)
        batch.messages.reserveCapacity(keys.count)
        batch.names.reserveCapacity(keys.count)
        for (key, value) in zip(keys, values) {
            guard let value else {
                batch.missing.append(key)
                continue
            }
            guard let (firing, message, name) = prepareFiring(key: key, value: value, now: now) else { continue }
            batch.firings.append(firing)
            batch.messages.append(message)
            batch.names.append(name)
        }
        return batch
    }

    /// Builds one firing from the freshly read value, or returns nil (after updating the timetable)
    /// when the entry is gone, invalid, disabled or no longer due.
    private func prepareFiring(key: String, value: [UInt8]?, now: Instant) -> (CommitTransaction.Firing, CeleryMessage, String)? {
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
                guard edited.enabled, let due = timetable[key]?.nextDue, due <= now else { return nil }
                entry = edited
            }
            guard entry.enabled else {
                timetable.reschedule(key: key, now: now)
                return nil
            }
            let updated = try RunStateWriter.write(
                totalRunCount: entry.totalRunCount + 1, lastRunAt: now, into: value, at: entry.runStatePlace)
            let message = entry.message(id: producer.nextTaskID(), producer: producer, now: now)
            var firing = CommitTransaction.Firing(key: key, expected: value, updated: updated)
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
            return (firing, message, entry.name)
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
            return try EntryDecoder.decode(
                key: key, name: name(of: key), json: value, knownSchedule: schedule, cache: &scheduleCache)
        } catch {
            timetable.remove(key: key)
            throw error
        }
    }

    /// Keeps the firings whose entries the check found unchanged, to be committed next turn;
    /// the others go back to the timetable as the entries now say.
    private func finishCheck(_ batch: PreparedBatch, checks: [CommitTransaction.Check]) -> PreparedBatch? {
        // The usual case, kept whole: copying each firing and message costs a retain per string.
        if !checks.contains(where: { $0 != .unchanged }) { return batch }
        var kept = PreparedBatch(now: batch.now)
        for (index, check) in checks.enumerated() {
            let key = batch.firings[index].key
            switch check {
            case .unchanged:
                kept.firings.append(batch.firings[index])
                kept.messages.append(batch.messages[index])
                kept.names.append(batch.names[index])
            case .missing:
                // Deleted (or no longer a string) since it was read: dropped, and the key stays as it
                // is. Every reply has been read, so the call that tells which can be made now.
                _ = prepareFiring(key: key, value: nil, now: batch.now)
            case .modified:
                // Changed after it was read: forget the fingerprint so the next pass re-reads it.
                timetable.reschedule(key: key, now: batch.now, retryAt: batch.now)
                nextReloadAt = min(nextReloadAt, SystemClock.monotonicMicroseconds())
            }
        }
        return kept.firings.isEmpty ? nil : kept
    }

    /// Applies a commit's outcome.
    private func finishCommit(_ batch: PreparedBatch, outcome: CommitTransaction.CommitOutcome) {
        let now = batch.now
        if outcome == .aborted {
            // An entry or the lock changed between the check and the commit: read again, decide again.
            putBack(batch.keys, now: now, retryAfterFailure: false)
            return
        }
        for firing in batch.firings {
            timetable.fired(key: firing.key, at: now, digest: Digest.of(firing.updated))
        }
        if case .committedWithoutPush(let failure) = outcome {
            logger.error(
                "redis refused to push \(batch.firings.count) message(s) whose run state was written; they are lost",
                metadata: ["error": "\(failure)", "entries": "\(batch.names.joined(separator: ","))"])
            return
        }
        for (index, firing) in batch.firings.enumerated() {
            if push != nil {
                logSent(batch.messages[index], name: batch.names[index])
            } else {
                supersede(pendingFor: firing.key)
                committed.append(PendingPublish(key: firing.key, message: batch.messages[index], attempts: 0, nextAttemptAt: .min))
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
        guard let broker = connectedBroker() else {
            let now = SystemClock.monotonicMicroseconds()
            pending += batch.map { delayed($0, at: now) }
            return
        }
        publishing.append(PublishingFirings(items: batch, broker: broker, batch: broker.startPublishing(batch.map(\.message))))
        confirmPublished(leaving: Self.batchesLeftUnconfirmed)
    }

    /// Batches left with the broker after `publish`, the one just handed over included. RabbitMQ
    /// confirms persistent messages once its queue has synced them, which it often does only when
    /// it has nothing else to do: waiting for the batch just before the new one then often waits
    /// until the broker is idle, and it stays idle while the next batch is committed in Redis.
    /// Waiting for the one before that leaves the broker a batch to work on meanwhile.
    static var batchesLeftUnconfirmed: Int { 2 }

    /// Reads the broker's verdict on the oldest batches handed to it until at most `leaving` wait.
    func confirmPublished(leaving: Int = 0) {
        while publishing.count > leaving {
            confirm(publishing.removeFirst())
        }
    }

    private func confirm(_ firings: PublishingFirings) {
        let batch = firings.items
        do {
            try firings.broker.finishPublishing(firings.batch)
            for item in batch { logSent(item.message, name: name(of: item.key)) }
        } catch {
            let now = SystemClock.monotonicMicroseconds()
            let failed = Set(error.unconfirmed)
            // A newer firing of the entry, committed since, replaces one the broker did not take.
            let newer = Set(publishing.flatMap { $0.items.map(\.key) })
            for (index, item) in batch.enumerated() {
                if !failed.contains(index) {
                    logSent(item.message, name: name(of: item.key))
                } else if newer.contains(item.key) {
                    pending.append(item)
                    supersede(pendingFor: item.key)
                } else {
                    pending.append(delayed(item, at: now))
                }
            }
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
    }

    /// Reads the confirms still outstanding, then retries the pending publishes whose time has come.
    func publishPending() {
        confirmPublished()
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
            logger.warning(
                "a newer firing replaces one the broker never took",
                metadata: ["entry": "\(name(of: key))", "task": "\(item.message.task)", "id": "\(item.message.id)"])
        }
        pending.removeAll { $0.key == key }
    }

    func dropPending(reason: String) {
        confirmPublished()
        for item in pending {
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

    private func logSent(_ message: CeleryMessage, name: String) {
        logger.info(
            "sent \(name)",
            metadata: ["task": "\(message.task)", "id": "\(message.id)", "queue": "\(message.destination.queue)"])
    }
}
