public import BeatCore
public import CivilTime
import JSON
public import RedisClient
public import ScheduleStore

/// Writes RedBeat entries for the commands, as RedBeat's own `RedBeatSchedulerEntry` does: `save()`
/// sets `definition`, sets `meta` only where there is none (`{"last_run_at": null}`, HSETNX) and
/// scores the entry in the index; `delete()` removes the index member and the hash.
///
/// The values are `RedBeatDefinition`s. Each write is one Lua script that also PUBLISHes the key on
/// `EntryChanges`'s channel, so a running swiftbeat hears of it at once (Python RedBeat needs no
/// news: it reads due entries from the index every tick). As with `EntryWriter`, nothing is blind:
/// an add never overwrites (the key must be absent), and an update is a compare-and-set of both
/// fields, since the score is computed from `meta`'s `last_run_at`, which a running beat rewrites.
public struct RedBeatWriter {
    public let connection: RedisConnection
    public let keys: RedBeatKeys
    /// The zone crontabs are read in (the beat's `timezone`), for the score.
    public let zone: TimeZoneRules
    public let now: @Sendable () -> Instant
    /// Where changes are announced; empty to announce nothing.
    public let channel: String
    /// How many times `update` reads again after another client changed the entry in between.
    public var retries = 5

    public init(connection: RedisConnection, keys: RedBeatKeys, zone: TimeZoneRules, now: @escaping @Sendable () -> Instant) {
        self.connection = connection
        self.keys = keys
        self.zone = zone
        self.now = now
        channel = EntryChanges.channel(database: connection.configuration.database, keyPrefix: keys.prefix)
    }

    /// What `save()` writes as `meta` for an entry that never ran.
    static let neverRunMeta = Array(#"{"last_run_at": null}"#.utf8)

    /// What `save()` does once the script's check passed: the definition, `meta` where there is
    /// none, the score; then the news. ARGV: definition, meta, score, channel.
    static let saveLines = """
        redis.call('HSET', KEYS[1], 'definition', ARGV[1])
        redis.call('HSETNX', KEYS[1], 'meta', ARGV[2])
        redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
        if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], KEYS[1]) end
        return 1
        """

    static let addScript = "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n" + saveLines

    /// ARGV 5 and 6: the definition and meta read (an absent meta as empty, which RedBeat reads the same).
    static let compareAndSetScript = """
        local kind = redis.call('TYPE', KEYS[1]).ok
        if kind == 'none' then return -1 end
        if kind ~= 'hash' then return -2 end
        local fields = redis.call('HMGET', KEYS[1], 'definition', 'meta')
        if (fields[1] or '') ~= ARGV[5] or (fields[2] or '') ~= ARGV[6] then return 0 end

        """ + saveLines

    static let removeScript = """
        local unindexed = redis.call('ZREM', KEYS[2], KEYS[1])
        local removed = redis.call('DEL', KEYS[1])
        if removed + unindexed > 0 and ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], KEYS[1]) end
        return removed + unindexed
        """

    public func key(of name: String) -> String { keys.prefix + name }

    /// Writes `definition` under `name` only if the key is absent, with the `meta` and score
    /// `save()` gives an entry that never ran: due now.
    public func add(name: String, definition: [UInt8], announce: Bool = true) throws(ScheduleStoreError) -> EntryWriter.AddOutcome {
        let key = key(of: name)
        let score = try self.score(key: key, name: name, definition: definition, meta: [])
        let reply = try EntryWriter.eval(
            Self.addScript, keys: [key, keys.schedule],
            [definition, Self.neverRunMeta, Array(String(score).utf8), Array((announce ? channel : "").utf8)], on: connection)
        switch reply.integer {
        case 1: return .added
        case 0: return .exists
        default: throw .unexpected(reply, to: "the add script", on: connection)
        }
    }

    /// Each entry (its value a definition) written where its key is absent, then one
    /// `EntryChanges.everything` announced if anything was.
    public func addAbsent(_ entries: [ScheduleFile.Entry]) throws(ScheduleStoreError) -> [EntryWriter.AddOutcome] {
        var outcomes: [EntryWriter.AddOutcome] = []
        for entry in entries {
            outcomes.append(try add(name: entry.name, definition: entry.json, announce: false))
        }
        if outcomes.contains(.added) { try announce(EntryChanges.everything) }
        return outcomes
    }

    /// Reads the entry's definition, computes the new one with `change` and writes it, rescored,
    /// only if neither field changed in between (else reads and computes again, up to `retries`
    /// times). `meta` is kept: a new definition neither resets the run count nor the last run.
    public func update(
        name: String, announce: Bool = true, _ change: ([UInt8]) throws(EntryError) -> [UInt8]
    ) throws(ScheduleStoreError) -> EntryWriter.UpdateOutcome {
        let key = key(of: name)
        let reader = RedBeatReader(connection: connection, keys: keys)
        for _ in 0...retries {
            guard let stored = try reader.values(of: [key])[0] else {
                let type = try reader.type(of: key)
                if type == "none" { return .missing }
                throw ScheduleStoreError(.notAString, "entry \(key): the key holds a Redis \(type), not a hash")
            }
            guard let (old, meta) = RedBeatStoredValue.split(stored) else { return .missing }
            let new: [UInt8]
            do {
                new = try change(Array(old))
            } catch {
                throw .invalid(error)
            }
            if new[...] == old { return .unchanged(Array(old)) }
            let score = try self.score(key: key, name: name, definition: new, meta: meta)
            let reply = try EntryWriter.eval(
                Self.compareAndSetScript, keys: [key, keys.schedule],
                [new, Self.neverRunMeta, Array(String(score).utf8), Array((announce ? channel : "").utf8), Array(old), Array(meta)],
                on: connection)
            switch reply.integer {
            case 1: return .updated(old: Array(old), new: new)
            case -1: return .missing
            case -2: throw ScheduleStoreError(.notAString, "entry \(key): the key is no longer a hash")
            case 0: continue  // changed in between: read again
            default: throw .unexpected(reply, to: "the compare-and-set script", on: connection)
            }
        }
        throw ScheduleStoreError(
            .conflict, "entry \(key) kept changing while it was being written (\(retries + 1) attempts); try again")
    }

    /// Writes `definition` whether or not the entry exists, keeping an existing entry's `meta`.
    public func put(name: String, definition: [UInt8], announce: Bool = true) throws(ScheduleStoreError) -> EntryWriter.PutOutcome {
        for _ in 0...retries {
            switch try update(name: name, announce: announce, { _ throws(EntryError) in definition }) {
            case .updated: return .replaced
            case .unchanged: return .unchanged
            case .missing:
                if try add(name: name, definition: definition, announce: announce) == .added { return .added }
            }
        }
        throw ScheduleStoreError(.conflict, "entry \(key(of: name)) kept appearing and disappearing; try again")
    }

    /// Deletes the hash and its index member, as `delete()` does; false when there was neither.
    public func remove(name: String) throws(ScheduleStoreError) -> Bool {
        let reply = try EntryWriter.eval(Self.removeScript, keys: [key(of: name), keys.schedule], [Array(channel.utf8)], on: connection)
        guard let removed = reply.integer else { throw .unexpected(reply, to: "the remove script", on: connection) }
        return removed > 0
    }

    /// Publishes `payload` (a key, or `EntryChanges.everything`) on the change channel.
    public func announce(_ payload: String) throws(ScheduleStoreError) {
        try EntryWriter.announce(payload, on: channel, connection: connection)
    }

    /// The score `save()` would give `definition` with `meta` (`RedBeatRunState.savedScore`).
    func score(key: String, name: String, definition: [UInt8], meta: ArraySlice<UInt8>) throws(ScheduleStoreError) -> Int64 {
        let zones = ZoneCache()
        var cache = ScheduleCache()
        let entry: Entry
        do {
            entry = try RedBeatEntryDecoder.decode(
                key: key, name: name, stored: RedBeatStoredValue.joined(definition: definition, meta: Array(meta)), cache: &cache, zones: zones)
        } catch {
            throw .invalid(error)
        }
        return RedBeatRunState.savedScore(of: entry.schedule, lastRunAt: entry.lastRunAt, now: now(), in: zone)
    }
}
