public import BeatCore
public import CivilTime
public import RedBeatStore
public import RedisClient
public import ScheduleStore

/// How the commands change entries, in either store: the entry is given as `EntryEncoder` writes it
/// (celerybeat-redis's current format) and edited as `EntryEdit` edits one, and each store keeps it
/// in its own way: celerybeat-redis the text itself, RedBeat a `definition` (`RedBeatDefinition`)
/// beside its `meta`, scored in the index. An enum for the reason `StoreFormat` is one; the
/// commands never ask which store they have.
public enum StoredEntryWriter {
    case celerybeatRedis(EntryWriter)
    case redBeat(RedBeatWriter)

    /// `zone` is the beat's, in which a RedBeat entry's score is computed.
    public init(_ kind: StoreKind, connection: RedisConnection, keyPrefix: String, zone: TimeZoneRules) {
        switch kind {
        case .celerybeatRedis: self = .celerybeatRedis(EntryWriter(connection: connection, keyPrefix: keyPrefix))
        case .redBeat:
            self = .redBeat(RedBeatWriter(connection: connection, keys: RedBeatKeys(prefix: keyPrefix), zone: zone, now: { SystemClock.now() }))
        }
    }

    public func key(of name: String) -> String {
        switch self {
        case .celerybeatRedis(let writer): writer.key(of: name)
        case .redBeat(let writer): writer.key(of: name)
        }
    }

    /// Writes `stored` (from `StoreKind.stored(name:entry:keyPrefix:)`) only if the key is absent.
    public func add(name: String, stored: [UInt8], announce: Bool = true) throws(ScheduleStoreError) -> EntryWriter.AddOutcome {
        switch self {
        case .celerybeatRedis(let writer): try writer.add(name: name, json: stored, announce: announce)
        case .redBeat(let writer): try writer.add(name: name, definition: stored, announce: announce)
        }
    }

    /// Writes each entry (values from `StoreKind.stored(name:entry:keyPrefix:)`) where its key is absent.
    public func addAbsent(_ entries: [ScheduleFile.Entry]) throws(ScheduleStoreError) -> [EntryWriter.AddOutcome] {
        switch self {
        case .celerybeatRedis(let writer): try writer.addAbsent(entries)
        case .redBeat(let writer): try writer.addAbsent(entries)
        }
    }

    /// Writes `stored` whether or not the entry exists, keeping an existing entry's run state.
    public func put(name: String, stored: [UInt8], announce: Bool = true) throws(ScheduleStoreError) -> EntryWriter.PutOutcome {
        switch self {
        case .celerybeatRedis(let writer): try writer.put(name: name, json: stored, announce: announce)
        case .redBeat(let writer): try writer.put(name: name, definition: stored, announce: announce)
        }
    }

    /// Compare-and-set of the entry with `change` applied to its text (a RedBeat entry's
    /// definition, which `EntryEdit` edits as it edits a celerybeat-redis entry).
    public func update(name: String, _ change: ([UInt8]) throws(EntryError) -> [UInt8]) throws(ScheduleStoreError) -> EntryWriter.UpdateOutcome {
        switch self {
        case .celerybeatRedis(let writer):
            return try writer.update(name: name, change)
        case .redBeat(let writer):
            let key = writer.key(of: name)
            return try writer.update(name: name) { old throws(EntryError) in
                try RedBeatDefinition.encode(entry: try change(old), key: key, name: name)
            }
        }
    }

    /// Deletes the entry; false when there was none.
    public func remove(name: String) throws(ScheduleStoreError) -> Bool {
        switch self {
        case .celerybeatRedis(let writer): try writer.remove(name: name)
        case .redBeat(let writer): try writer.remove(name: name)
        }
    }

    public func announce(_ payload: String) throws(ScheduleStoreError) {
        switch self {
        case .celerybeatRedis(let writer): try writer.announce(payload)
        case .redBeat(let writer): try writer.announce(payload)
        }
    }
}

extension StoreKind {
    /// What this store keeps for the entry `json` (as `EntryEncoder` writes it), or why it cannot
    /// keep it: computed before anything is written, for every entry of a file.
    public func stored(name: String, entry json: [UInt8], keyPrefix: String) throws(EntryError) -> [UInt8] {
        switch self {
        case .celerybeatRedis: json
        case .redBeat: try RedBeatDefinition.encode(entry: json, key: keyPrefix + name, name: name)
        }
    }
}
