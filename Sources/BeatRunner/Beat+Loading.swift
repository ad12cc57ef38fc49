import BeatCore
import CivilTime
import Logging
import RedisClient
import ScheduleStore

extension Beat {
    /// A reload in progress: the keys the SCAN found that are read next (nil: none yet), and the
    /// invalid keys it has seen so far.
    struct ReloadPass {
        var pending: EntryStore.Page?
        var invalidSeen = Set<String>()
        var startedAt = SystemClock.monotonicMicroseconds()
        /// The first pass after start-up, whose end is worth an info line.
        var isFirst = false
    }

    /// Starts re-reading every entry, unless a pass is already under way. The pass then advances
    /// one SCAN page per loop turn (`continueReload`), with firing in between, so reloading 100,000
    /// entries never holds up a due firing for more than a page's worth of work.
    func startReload() {
        nextReloadAt = SystemClock.monotonicMicroseconds() + configuration.reloadInterval.microseconds
        guard reloadPass == nil else { return }
        // Checked first: notifications trusted from here on tell of what this pass may miss.
        refreshCoverage()
        lastFullReloadAt = SystemClock.monotonicMicroseconds()
        timetable.beginSweep()
        reloadPass = ReloadPass(isFirst: !hasLoadedOnce)
    }

    /// Reads the next page of the reload in progress: new keys are added, edited ones replaced
    /// (their run state taken from Redis), and when the scan is complete, keys that are gone are
    /// dropped. Unchanged values are recognised by fingerprint and not parsed. A page's values and
    /// the next page's keys are asked for in one go, and decoding starts with the first part that
    /// arrives.
    func continueReload() {
        guard let reader, var pass = reloadPass else { return }
        do {
            let page: EntryStore.Page
            if let pending = pass.pending { page = pending } else { page = try reader.firstPage(horizon: reloadHorizon()) }
            let now = SystemClock.now()
            let following = try reader.read(page, partSize: Self.reloadPartSize) { entries in
                for stored in entries {
                    apply(stored, loadedDigest: timetable.markSeen(key: stored.key), now: now)
                    // After apply: a key found invalid in this very pass must stay known as such,
                    // or it would be forgotten below and logged again at every reload.
                    if !invalidEntries.isEmpty, invalidEntries[stored.key] != nil { pass.invalidSeen.insert(stored.key) }
                }
            }
            pass.pending = following
            redisSucceeded()
        } catch {
            redisFailed(error.description)
            return
        }
        guard pass.pending == nil else {
            reloadPass = pass
            return
        }
        reloadPass = nil
        for key in timetable.endSweep() {
            // From RedBeat's index, an entry missing from a pass is most often one not due soon.
            logger.log(
                level: format.readsDueOnly ? .debug : .info, format.readsDueOnly ? "entry not due before the next reload" : "entry removed from redis",
                metadata: ["entry": "\(name(of: key))"])
        }
        for key in invalidEntries.keys where !pass.invalidSeen.contains(key) {
            invalidEntries[key] = nil
        }
        observed.lastReloadSeconds = Double(SystemClock.monotonicMicroseconds() - pass.startedAt) / 1_000_000
        observed.disabledEntries = timetable.disabledCount
        let summary: Logger.Metadata = [
            "entries": "\(timetable.count)", "invalid": "\(invalidEntries.count)",
            "milliseconds": "\((SystemClock.monotonicMicroseconds() - pass.startedAt) / 1000)",
        ]
        if pass.isFirst {
            hasLoadedOnce = true
            logger.info("all entries loaded", metadata: summary)
        } else {
            logger.debug("reload complete", metadata: summary)
        }
    }

    /// The latest score a reload from the index reads (UTC seconds): entries due before the reload
    /// after next, so one that comes due between two reloads is in the timetable already.
    private func reloadHorizon() -> Int64 {
        SystemClock.now().microsecondsSinceEpoch / 1_000_000 + 2 * (configuration.reloadInterval.microseconds / 1_000_000) + 1
    }

    /// Keys per MGET within a reload page: the page's values are asked for at once and decoded a
    /// part at a time as they arrive, so Redis reads part k+1 while the beat decodes part k.
    static var reloadPartSize: Int { 250 }

    /// Re-reads the keys named by change notifications.
    func reload(keys: [String]) {
        guard let reader, !keys.isEmpty else { return }
        logger.debug("reading entries a change notification named", metadata: ["keys": "\(keys.count)", "first": "\(name(of: keys[0]))"])
        do {
            let values = try reader.values(of: keys)
            let now = SystemClock.now()
            for (key, value) in zip(keys, values) {
                try apply(key: key, value: value, now: now)
            }
        } catch {
            redisFailed(error.description)
        }
    }

    /// Brings the timetable in line with what `key` holds (nil: missing, or not a string).
    /// Returns the decoded entry when it is valid and changed.
    @discardableResult
    func apply(
        key: String, value: [UInt8]?, now: Instant, detail: EntryDecoder.Detail = .scheduling
    ) throws(ScheduleStoreError) -> Entry? {
        if let value {
            return apply(EntryReader.Stored(key: key, name: name(of: key), value: .json(value)), now: now, detail: detail)
        }
        let type = try reader?.type(of: key) ?? "none"
        if type == "none" {
            if timetable[key] != nil {
                timetable.remove(key: key)
                logger.info("entry removed from redis", metadata: ["entry": "\(name(of: key))"])
            }
            invalidEntries[key] = nil
            return nil
        }
        return apply(EntryReader.Stored(key: key, name: name(of: key), value: .notAString(type: type)), now: now)
    }

    /// `detail` is `.scheduling` when only the timetable needs the entry (loading), `.full` when it
    /// is about to fire.
    @discardableResult
    func apply(_ stored: EntryReader.Stored, now: Instant, detail: EntryDecoder.Detail = .scheduling) -> Entry? {
        apply(stored, loadedDigest: timetable.digest(of: stored.key), now: now, detail: detail)
    }

    /// The same, given the fingerprint the timetable holds for the key (nil: it holds none), which
    /// a reload has just looked up.
    @discardableResult
    func apply(
        _ stored: EntryReader.Stored, loadedDigest: Int?, now: Instant, detail: EntryDecoder.Detail = .scheduling
    ) -> Entry? {
        let key = stored.key
        let value: [UInt8]
        switch stored.value {
        case .notAString(let type):
            reject(key: key, digest: type.hashValue, reason: format.wrongType(type))
            return nil
        case .json(let bytes):
            value = bytes
        }
        let digest = Digest.of(value)
        if loadedDigest == digest { return nil }
        if !invalidEntries.isEmpty, invalidEntries[key] == digest { return nil }
        do {
            let entry = try format.decode(key: key, name: stored.name, value: value, detail: detail, cache: &scheduleCache, zones: zones)
            if !invalidEntries.isEmpty, invalidEntries.removeValue(forKey: key) != nil {
                logger.info("entry is valid again", metadata: ["entry": "\(entry.name)"])
            }
            let isNew = timetable.upsert(
                key: key, schedule: entry.schedule, window: entry.lifetime.window, enabled: entry.isLive,
                lastRunAt: format.lastRunForScheduling(entry), digest: digest, now: now)
            if isNew {
                // At start-up one summary line says how many were loaded; later, each new entry is news.
                logger.log(
                    level: hasLoadedOnce && !format.readsDueOnly ? .info : .debug,
                    "entry loaded",
                    metadata: ["entry": "\(entry.name)", "task": "\(entry.task)", "schedule": "\(entry.schedule)", "enabled": "\(entry.enabled)"])
            } else {
                logger.debug("entry changed", metadata: ["entry": "\(entry.name)"])
            }
            return entry
        } catch {
            reject(key: key, digest: digest, reason: error.reason)
            return nil
        }
    }

    /// Drops an unusable entry from the timetable and logs why, once per change of the key.
    /// Nothing is ever written to a key that could not be parsed.
    private func reject(key: String, digest: Int, reason: String) {
        timetable.remove(key: key)
        guard invalidEntries[key] != digest else { return }
        invalidEntries[key] = digest
        logger.error("skipping invalid entry", metadata: ["key": "\(key)", "reason": "\(reason)"])
    }

    /// The entry's name, as the reload names it (`EntryReader.name(of:prefix:)`).
    func name(of key: String) -> String {
        EntryReader.name(of: key, prefix: configuration.keyPrefix)
    }

    /// Reads what the change subscription received and reloads those keys.
    func readNotifications() {
        guard let subscriber else { return }
        let replies: [RedisReply]
        do {
            replies = try subscriber.readAvailableReplies()
        } catch {
            subscriptionLost(error.description)
            return
        }
        var keys: [String] = []
        var everything = false
        for reply in replies {
            guard case .message(let channel, let pattern, let payload)? = RedisPubSubEvent(reply) else { continue }
            if pattern != nil {
                // Keyspace notification: the channel is __keyspace@<db>__:<key>, the payload the event.
                guard let colon = channel.firstIndex(of: ":") else { continue }
                let key = String(channel[channel.index(after: colon)...])
                if !ownWrites.isEmpty, isOwnEvent(key: key, event: payload) { continue }
                keys.append(key)
            } else if let text = String(validating: payload, as: UTF8.self) {
                if text == EntryChanges.everything { everything = true } else { keys.append(text) }
            }
        }
        if everything {
            startReload()
        } else {
            reload(keys: Array(Set(keys.filter { format.isEntry($0, prefix: configuration.keyPrefix) })))
        }
    }
}
