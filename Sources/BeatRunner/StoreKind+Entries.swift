public import BeatCore
public import CivilTime
public import RedisClient
import RedBeatStore
public import ScheduleStore

extension StoreKind {
    /// Every entry under `keyPrefix`, sorted by key, for the commands and pages that show them all:
    /// celerybeat-redis's every key under the prefix, RedBeat's every key in its index.
    public func allEntries(on connection: RedisConnection, keyPrefix: String) throws(ScheduleStoreError) -> [EntryReader.Stored] {
        switch self {
        case .celerybeatRedis: try EntryReader(connection: connection, keyPrefix: keyPrefix).all()
        case .redBeat: try RedBeatReader(connection: connection, keys: RedBeatKeys(prefix: keyPrefix)).all()
        }
    }

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
