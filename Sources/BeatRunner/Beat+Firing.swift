import BeatCore
import Broker
import CeleryMessage
import CivilTime
import JSON
import Logging
import RedisClient
import ScheduleStore

extension Beat {
    /// Fires every entry that is due, in batches, while this node may send.
    ///
    /// For each batch: re-read the entries (an edit or deletion made since the last reload wins),
    /// build the messages, then commit in one script that checks the lock token and writes each
    /// entry's run state only if the entry still holds what was read — pushing the messages in the
    /// same step when the broker is this Redis server, or publishing them right after otherwise.
    ///
    /// Batches overlap: one write asks for the next batch's entries and sends the ready batch's
    /// commit, and the next batch is built from the entries (answered first) while Redis runs the
    /// commit. The two batches hold different keys (an entry is out of the timetable from being
    /// handed out until its commit is read), and a batch is handed out only after the commit
    /// before it was read, so an entry's write-back still reaches Redis before its next firing
    /// is decided, and commits still run one after the other on one connection.
    func fireDue() {
        guard let redis, let reader else { return }
        var ready: PreparedBatch?
        defer {
            // Built but never sent (this node may no longer send, or the turn ended): due again.
            if let ready { putBack(ready.keys, now: ready.now, retryAfterFailure: false) }
        }
        for _ in 0..<10_000 {
            guard election.maySend(at: SystemClock.monotonicMicroseconds()) else { return }
            let now = SystemClock.now()
            let keys = timetable.popDue(now: now, limit: configuration.batchSize)
            if keys.isEmpty && ready == nil { return }
            let committing = ready
            ready = nil
            var next: PreparedBatch?
            let sent: RedisConnection.PendingReplies?
            do {
                if committing != nil { try committer.load(on: redis) }
                let request = keys.isEmpty ? nil : try reader.requestValues(of: keys)
                sent = try committing.map { (batch) throws(ScheduleStoreError) in
                    try committer.send(batch.firings, token: lock.token, push: push, on: redis)
                }
                if let request {
                    next = prepareBatch(keys, values: try reader.values(answering: request, count: keys.count), now: now)
                }
            } catch {
                // The connection is gone with every reply on it, or MGET's answer made no sense
                // (then the commit's reply is dropped with the socket: it is re-read as any lost one).
                redis.reset()
                putBack(keys, now: now, retryAfterFailure: true)
                if let committing { putBack(committing.keys, now: committing.now, retryAfterFailure: true) }
                redisFailed(error.description)
                return
            }
            if let committing, let sent {
                let outcome: CommitScript.Outcome
                do {
                    outcome = try committer.receive(sent, of: committing.firings, token: lock.token, push: push, on: redis)
                } catch {
                    // Whether the script ran is unknown when the connection broke mid-call; the entries
                    // are re-read before they fire again, so a committed firing is not repeated.
                    putBack(committing.keys, now: committing.now, retryAfterFailure: true)
                    if let next { putBack(next.keys, now: next.now, retryAfterFailure: true) }
                    redisFailed(error.description)
                    return
                }
                if !finishCommit(committing, outcome: outcome) {
                    if let next { putBack(next.keys, now: next.now, retryAfterFailure: false) }
                    return
                }
            }
            guard var next else { continue }
            // Entries that MGET found missing are looked at only now: that takes a call of its own.
            for key in next.missing {
                _ = prepareFiring(key: key, value: nil, now: next.now)
            }
            next.missing = []
            if !next.firings.isEmpty { ready = next }
        }
    }

    /// A batch read and built, waiting for its commit.
    struct PreparedBatch {
        var now: Instant
        var firings: [CommitScript.Firing] = []
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
    private func prepareFiring(key: String, value: [UInt8]?, now: Instant) -> (CommitScript.Firing, CeleryMessage, String)? {
        let entry: Entry
        do {
            guard let value else {
                try apply(key: key, value: nil, now: now)
                return nil
            }
            if Digest.of(value) == timetable.digest(of: key) {
                entry = try decodeKnown(key: key, value: value)
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
            let updated = try RunStateWriter.write(totalRunCount: entry.totalRunCount + 1, lastRunAt: now, into: value)
            let message = entry.message(id: producer.nextTaskID(), producer: producer, now: now)
            var firing = CommitScript.Firing(key: key, expected: value, updated: updated)
            if push != nil {
                // Without the broker's lists the script would write the run state and push nothing:
                // a firing recorded (and logged) as sent that no worker ever gets. Wait for the broker.
                guard let broker = connectedBroker() as? RedisBroker else {
                    putBack([key], now: now, retryAfterFailure: true)
                    return nil
                }
                let prepared = try broker.prepare([message])[0]
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

    private func decodeKnown(key: String, value: [UInt8]) throws -> Entry {
        do {
            return try EntryDecoder.decode(
                key: key, name: name(of: key), json: value, knownSchedule: timetable[key]?.schedule, cache: &scheduleCache)
        } catch {
            timetable.remove(key: key)
            throw error
        }
    }

    /// Applies a commit's outcome; returns false when firing should stop for now (lock lost).
    private func finishCommit(_ batch: PreparedBatch, outcome: CommitScript.Outcome) -> Bool {
        let firings = batch.firings
        let messages = batch.messages
        let names = batch.names
        let now = batch.now
        guard case .results(let results) = outcome else {
            putBack(batch.keys, now: now, retryAfterFailure: false)
            lostLockDuringCommit()
            return false
        }
        var toPublish: [PendingPublish] = []
        for (index, result) in results.enumerated() {
            let firing = firings[index]
            switch result {
            case .committed:
                timetable.fired(key: firing.key, at: now, digest: Digest.of(firing.updated))
                let message = messages[index]
                if push != nil {
                    logSent(message, name: names[index])
                } else {
                    supersede(pendingFor: firing.key)
                    toPublish.append(PendingPublish(key: firing.key, message: message, attempts: 0, nextAttemptAt: .min))
                }
            case .deleted:
                timetable.remove(key: firing.key)
                logger.info("entry was deleted before it fired", metadata: ["entry": "\(names[index])"])
            case .modified, .wrongType:
                // Changed after it was read: forget the fingerprint so the next pass re-reads it.
                timetable.reschedule(key: firing.key, now: now, retryAt: now)
                nextReloadAt = min(nextReloadAt, SystemClock.monotonicMicroseconds())
            }
        }
        if !toPublish.isEmpty {
            publish(toPublish)
        }
        return true
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
