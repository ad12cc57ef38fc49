public import BeatCore
public import CivilTime
public import RedisClient
import RedBeatStore
public import ScheduleStore

extension StoreKind {
    /// Every entry under `keyPrefix`, sorted by key, for the pages that show them all:
    /// celerybeat-redis's every key under the prefix, RedBeat's every key in its index.
    public func allEntries(on connection: RedisConnection, keyPrefix: String) throws(ScheduleStoreError) -> [EntryReader.Stored] {
        var entries: [EntryReader.Stored] = []
        try forEachEntry(on: connection, keyPrefix: keyPrefix) { entries += $0 }
        return entries
    }

    /// The same, handed to `body` a part at a time in key order: the keys are held, the values only
    /// a part's worth, so `list`, `check` and `status` stay small with a million entries.
    public func forEachEntry(
        on connection: RedisConnection, keyPrefix: String, _ body: ([EntryReader.Stored]) -> Void
    ) throws(ScheduleStoreError) {
        switch self {
        case .celerybeatRedis:
            let reader = EntryReader(connection: connection, keyPrefix: keyPrefix)
            let keys = try reader.sortedKeys()
            for start in stride(from: 0, to: keys.count, by: Self.entriesPerPart) {
                // A key of another type comes last in its part: back in key order.
                let part = try reader.read(Array(keys[start..<min(start + Self.entriesPerPart, keys.count)]), scanning: nil)
                body(part.entries.sorted { $0.key < $1.key })
            }
        case .redBeat:
            let reader = RedBeatReader(connection: connection, keys: RedBeatKeys(prefix: keyPrefix))
            let keys = try reader.sortedKeys()
            for start in stride(from: 0, to: keys.count, by: Self.entriesPerPart) {
                try reader.read(keys[start..<min(start + Self.entriesPerPart, keys.count)], partSize: Self.entriesPerPart) {
                    body($0.sorted { $0.key < $1.key })
                }
            }
        }
    }

    /// The entry `name`, nil when there is none.
    public func entry(named name: String, on connection: RedisConnection, keyPrefix: String) throws(ScheduleStoreError) -> EntryReader.Stored? {
        switch self {
        case .celerybeatRedis: try EntryReader(connection: connection, keyPrefix: keyPrefix).entry(named: name)
        case .redBeat: try RedBeatReader(connection: connection, keys: RedBeatKeys(prefix: keyPrefix)).entry(named: name)
        }
    }

    /// The entry's own text in a stored value, which `EntryEdit` edits and a schedule file holds
    /// (celerybeat-redis's JSON, RedBeat's `definition`), and RedBeat's `meta` beside it.
    public func parts(of value: [UInt8]) -> (entry: [UInt8], meta: [UInt8]?) {
        switch self {
        case .celerybeatRedis: return (value, nil)
        case .redBeat:
            guard let (definition, meta) = RedBeatStoredValue.split(value) else { return (value, nil) }
            return (Array(definition), meta.isEmpty ? nil : Array(meta))
        }
    }

    /// `value` with its entry text (`parts(of:)`) replaced by `entry`.
    public func replacing(entry: [UInt8], in value: [UInt8]) -> [UInt8] {
        switch self {
        case .celerybeatRedis: entry
        case .redBeat: RedBeatStoredValue.joined(definition: entry, meta: parts(of: value).meta)
        }
    }

    /// Values read per round trip by `forEachEntry`.
    static var entriesPerPart: Int { 1000 }

    /// The `last_run_at` the beat schedules the entry from (`nil`: as if run when first seen).
    public func lastRunForScheduling(_ entry: Entry) -> Instant? {
        StoreFormat(self, keyPrefix: "").lastRunForScheduling(entry)
    }

    /// The entry in `stored`, decoded as the beat decodes it, or why it cannot be used.
    public func decode(_ stored: EntryReader.Stored) -> Result<Entry, EntryError> {
        let format = StoreFormat(self, keyPrefix: "")
        switch stored.value {
        case .notAString(let type):
            return .failure(EntryError(key: stored.key, reason: format.wrongType(type)))
        case .json(let bytes):
            var cache = ScheduleCache()
            do {
                return .success(try format.decode(key: stored.key, name: stored.name, value: bytes, detail: .full, cache: &cache, zones: ZoneCache()))
            } catch {
                return .failure(error)
            }
        }
    }
}
